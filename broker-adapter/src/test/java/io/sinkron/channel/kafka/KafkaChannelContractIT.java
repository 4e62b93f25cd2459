package io.sinkron.channel.kafka;

import io.sinkron.channel.Channel;
import io.sinkron.channel.ChannelContractTest;
import io.sinkron.channel.ChannelLimits;
import io.sinkron.channel.FrameHandler;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

// Runs the channel contract against the Kafka channel on a real in-process KRaft broker (fresh topics per test).
class KafkaChannelContractIT extends ChannelContractTest {

    private static final AtomicInteger RUN = new AtomicInteger();
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

    @Override
    protected Network network(ChannelLimits limits) {
        String prefix = "contract" + RUN.incrementAndGet() + ".";
        return new Network() {
            @Override
            public Channel open(String self, FrameHandler handler) throws Exception {
                KafkaChannelConfig config = new KafkaChannelConfig(
                        broker.getAdvertisedListeners(),
                        self,
                        prefix,
                        (short) 1,
                        limits,
                        10_000,
                        0,
                        Duration.ofMillis(100));
                KafkaChannel channel = KafkaChannel.open(config, List.of("n1", "n2", "n3"), handler);
                channel.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
                return channel;
            }

            @Override
            public void close() {}
        };
    }
}
