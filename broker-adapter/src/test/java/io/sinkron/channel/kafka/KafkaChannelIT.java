package io.sinkron.channel.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

// Proves what only the Kafka channel promises beyond the shared contract (KafkaChannelContractIT): an inbox is durable,
// so frames sent while the receiver was closed arrive, in order, once it reopens — and never at the closed handler.
class KafkaChannelIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedKafkaBroker().withDeleteLogDirsOnClose(true).start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void framesSentWhileReceiverIsClosedArriveAfterItReopensAndNeverAtTheClosedHandler(TestInfo test) throws Exception {
        KafkaChannelConfig n1 = config(test, "n1");
        KafkaChannelConfig n2 = config(test, "n2");
        List<String> beforeClose = new CopyOnWriteArrayList<>();
        try (var sender = KafkaChannel.open(n1, Set.of("n2"), (from, frame) -> {})) {
            var first = KafkaChannel.open(n2, Set.of("n1"), (from, frame) -> beforeClose.add(text(frame)));
            first.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
            sender.send("n2", bytes("before")).toCompletableFuture().get(30, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> beforeClose.contains("before"));
            first.close();

            for (int i = 0; i < 20; i++) {
                sender.send("n2", bytes("while-closed-" + i))
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            }
            List<String> afterReopen = new CopyOnWriteArrayList<>();
            try (var reopened = KafkaChannel.open(n2, Set.of("n1"), (from, frame) -> afterReopen.add(text(frame)))) {
                await().atMost(WAIT).until(() -> afterReopen.size() >= 20);
                assertThat(afterReopen)
                        .containsExactlyElementsOf(IntStream.range(0, 20)
                                .mapToObj(i -> "while-closed-" + i)
                                .toList());
            }
            assertThat(beforeClose).containsExactly("before");
        }
    }

    private static KafkaChannelConfig config(TestInfo test, String self) {
        String prefix = "t." + test.getTestMethod().orElseThrow().getName().hashCode() + ".";
        return KafkaChannelConfig.of(broker.getAdvertisedListeners(), self, prefix.replace('-', 'm'));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
