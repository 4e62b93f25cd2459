package io.sinkron.channel.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.channel.memory.MemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves each fault of the wrapper does what it says on real (memory) channels: partitions per direction, loss,
// duplication, delay, and that one seed gives one loss pattern. A marker frame sent after healing proves the link
// itself still works, so "nothing arrived" cannot come from a dead channel.
class FaultyChannelTest {

    private final MemoryNetwork network = new MemoryNetwork();
    private final List<String> atN2 = new CopyOnWriteArrayList<>();
    private final List<String> atN1 = new CopyOnWriteArrayList<>();
    private final FaultyChannel n1 = new FaultyChannel(network.open("n1", (f, b) -> atN1.add(text(b))), new Faults(7));
    private final FaultyChannel n2 = new FaultyChannel(network.open("n2", (f, b) -> atN2.add(text(b))), new Faults(8));

    @AfterEach
    void close() {
        n1.close();
        n2.close();
    }

    @Test
    void blockedPeerGetsNothingInThatDirectionOnly() {
        n1.faults().block("n2");
        n1.send("n2", bytes("lost"));
        n2.send("n1", bytes("reply"));
        await().atMost(Duration.ofSeconds(10)).until(() -> atN1.contains("reply"));
        n1.faults().heal("n2");
        n1.send("n2", bytes("marker"));
        await().atMost(Duration.ofSeconds(10)).until(() -> atN2.contains("marker"));
        assertThat(atN2).containsExactly("marker");
    }

    @Test
    void dropRateOneLosesEveryFrame() {
        n1.faults().dropRate(1.0);
        IntStream.range(0, 50).forEach(i -> n1.send("n2", bytes("x" + i)));
        n1.faults().healAll();
        n1.send("n2", bytes("marker"));
        await().atMost(Duration.ofSeconds(10)).until(() -> atN2.contains("marker"));
        assertThat(atN2).containsExactly("marker");
    }

    @Test
    void duplicateRateOneSendsEveryFrameTwice() {
        n1.faults().duplicateRate(1.0);
        IntStream.range(0, 20).forEach(i -> n1.send("n2", bytes("d" + i)));
        await().atMost(Duration.ofSeconds(10)).until(() -> atN2.size() >= 40);
        assertThat(atN2).hasSize(40);
        IntStream.range(0, 20)
                .forEach(i -> assertThat(atN2).filteredOn(("d" + i)::equals).hasSize(2));
    }

    @Test
    void delayedFramesAllArrive() {
        n1.faults().delayMillisMax(20);
        IntStream.range(0, 100).forEach(i -> n1.send("n2", bytes("late" + i)));
        await().atMost(Duration.ofSeconds(10)).until(() -> atN2.size() >= 100);
        assertThat(atN2)
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, 100).mapToObj(i -> "late" + i).toList());
    }

    @Test
    void sameSeedLosesTheSameFrames() {
        List<Integer> first = survivors(42);
        List<Integer> second = survivors(42);
        assertThat(first).isEqualTo(second).isNotEmpty().hasSizeLessThan(200);
    }

    private static List<Integer> survivors(long seed) {
        MemoryNetwork net = new MemoryNetwork();
        List<String> received = new CopyOnWriteArrayList<>();
        try (var receiver = net.open("b", (f, b) -> received.add(text(b)));
                var sender = new FaultyChannel(net.open("a", (f, b) -> {}), new Faults(seed).dropRate(0.5))) {
            IntStream.range(0, 200).forEach(i -> sender.send("b", bytes(Integer.toString(i))));
            sender.faults().healAll();
            sender.send("b", bytes("end"));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("end"));
        }
        return received.stream()
                .filter(s -> !s.equals("end"))
                .map(Integer::valueOf)
                .toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
