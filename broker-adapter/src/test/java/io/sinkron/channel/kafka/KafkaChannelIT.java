package io.sinkron.channel.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sinkron.channel.ChannelLimits;
import io.sinkron.channel.FrameTooLargeException;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

// Proves the Kafka channel against a real in-process KRaft broker: per-sender order, delivery of frames sent while the
// receiver was closed once it reopens, nothing handed to a closed node's handler, and refusal of oversized frames.
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
    void framesFromOneSenderArriveInSendOrder(TestInfo test) throws Exception {
        KafkaChannelConfig n1 = config(test, "n1");
        KafkaChannelConfig n2 = config(test, "n2");
        List<String> received = new CopyOnWriteArrayList<>();
        try (var receiver =
                        KafkaChannel.open(n2, Set.of("n1"), (from, frame) -> received.add(from + ":" + text(frame)));
                var sender = KafkaChannel.open(n1, Set.of("n2"), (from, frame) -> {})) {
            receiver.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                sender.send("n2", bytes("m" + i));
                expected.add("n1:m" + i);
            }
            await().atMost(WAIT).until(() -> received.size() >= expected.size());
            assertThat(received).containsExactlyElementsOf(expected);
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

    @Test
    void oversizedFrameIsRefusedAndNothingIsSent(TestInfo test) throws Exception {
        ChannelLimits small = new ChannelLimits(1024);
        KafkaChannelConfig n1 = withLimits(config(test, "n1"), small);
        KafkaChannelConfig n2 = withLimits(config(test, "n2"), small);
        List<String> received = new CopyOnWriteArrayList<>();
        try (var receiver = KafkaChannel.open(n2, Set.of("n1"), (from, frame) -> received.add(text(frame)));
                var sender = KafkaChannel.open(n1, Set.of("n2"), (from, frame) -> {})) {
            receiver.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> sender.send("n2", new byte[1025])).isInstanceOf(FrameTooLargeException.class);
            sender.send("n2", new byte[1024]).toCompletableFuture().get(30, TimeUnit.SECONDS);
            sender.send("n2", bytes("marker")).toCompletableFuture().get(30, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> received.contains("marker"));
            assertThat(received).hasSize(2);
            assertThat(received.get(0)).hasSize(1024);
        }
    }

    @Test
    void sendAfterCloseFails(TestInfo test) {
        var channel = KafkaChannel.open(config(test, "n1"), Set.of("n2"), (from, frame) -> {});
        channel.close();
        assertThat(channel.send("n2", bytes("late")).toCompletableFuture()).isCompletedExceptionally();
    }

    private static KafkaChannelConfig config(TestInfo test, String self) {
        String prefix = "t." + test.getTestMethod().orElseThrow().getName().hashCode() + ".";
        return KafkaChannelConfig.of(broker.getAdvertisedListeners(), self, prefix.replace('-', 'm'));
    }

    private static KafkaChannelConfig withLimits(KafkaChannelConfig c, ChannelLimits limits) {
        return new KafkaChannelConfig(
                c.bootstrapServers(),
                c.self(),
                c.topicPrefix(),
                c.replicationFactor(),
                limits,
                c.sendQueueFramesMax(),
                c.lingerMillis(),
                c.pollTimeout());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
