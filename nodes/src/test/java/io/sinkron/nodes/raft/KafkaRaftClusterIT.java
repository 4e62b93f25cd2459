package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.nodes.process.LocalCluster;
import io.sinkron.nodes.process.NodeProcess;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

// Proves RaftClusterIT's promises on the Kafka channel: three node processes (sinkron.channel.raft=kafka, an in-process
// KRaft broker on loopback) agree on one leader per shard, serve writes from any node on every node, converge on commit
// indexes, survive kill -9 of a leader, and fill their inbox topics (frames really went through Kafka); no sleeps.
class KafkaRaftClusterIT {

    /** Elections take longer here than on TCP: every frame is a produce plus a fetch through a fourth JVM. */
    private static final Duration ELECTION_WAIT = Duration.ofSeconds(45);

    /** Four writes through each node; under the default placement they land on six of the eight shards. */
    private static final int KEYS = 12;

    @Test
    void electsReplicatesAndSurvivesLeaderKillOverKafka() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                        .withKafkaHost("127.0.0.1")
                        .withDeleteLogDirsOnClose(true)
                        .start();
                LocalCluster cluster = LocalCluster.of(3, kafkaChannel(broker));
                ClusterProbe probe = new ClusterProbe(ELECTION_WAIT)) {
            cluster.startAll();
            List<NodeProcess> nodes = cluster.nodes();

            Map<Integer, String> leaders = probe.awaitAgreedLeaders(nodes, Set.of());
            assertThat(leaders).hasSize(ClusterProbe.SHARDS);
            assertThat(leaders.values()).isSubsetOf("n1", "n2", "n3");

            Map<Integer, Long> commitBefore = probe.commitIndexes(nodes.getFirst());
            writeThroughEveryNodeAndReadEverywhere(probe, nodes);
            probe.awaitCommitsEqualAndAdvanced(nodes, commitBefore);
            assertThat(inboxEndOffsets(broker, nodes))
                    .as("frames in each node's inbox topic")
                    .allSatisfy((node, frames) -> assertThat(frames).isPositive());

            String key = "survives-the-kill";
            assertThat(probe.put(nodes.get(1), key, "acknowledged")).isEqualTo(204);
            String victim = probe.awaitAgreedLeaders(nodes, Set.of()).get(ClusterProbe.SHARD_MAP.shardOf(key));
            cluster.node(victim).kill();
            List<NodeProcess> survivors =
                    nodes.stream().filter(n -> !n.id().equals(victim)).toList();

            Map<Integer, String> after = probe.awaitAgreedLeaders(survivors, Set.of(victim));
            assertThat(after.values()).doesNotContain(victim);
            for (NodeProcess survivor : survivors) {
                assertThat(probe.get(survivor, key))
                        .as("acknowledged write via %s", survivor.id())
                        .isEqualTo("acknowledged");
            }
            assertThat(probe.put(survivors.getFirst(), key, "after")).isEqualTo(204);
            for (NodeProcess survivor : survivors) {
                assertThat(probe.get(survivor, key))
                        .as("write after the kill via %s", survivor.id())
                        .isEqualTo("after");
            }
        }
    }

    private static List<String> kafkaChannel(EmbeddedKafkaBroker broker) {
        // No timing flags: on the kafka channel the node's own defaults are the slower Kafka timing (RaftSettings).
        List<String> properties = new ArrayList<>();
        properties.add("-Dsinkron.channel.raft=kafka");
        properties.add("-Dkafka.bootstrap.servers=" + broker.getAdvertisedListeners());
        return properties;
    }

    private static void writeThroughEveryNodeAndReadEverywhere(ClusterProbe probe, List<NodeProcess> nodes)
            throws Exception {
        for (int i = 0; i < KEYS; i++) {
            NodeProcess via = nodes.get(i % nodes.size());
            assertThat(probe.put(via, "key-" + i, "value-" + i))
                    .as("PUT key-%d via %s", i, via.id())
                    .isEqualTo(204);
        }
        for (NodeProcess reader : nodes) {
            for (int i = 0; i < KEYS; i++) {
                assertThat(probe.get(reader, "key-" + i))
                        .as("GET key-%d via %s", i, reader.id())
                        .isEqualTo("value-" + i);
            }
        }
    }

    /** The end offset of every node's inbox topic (one partition each): how many frames were sent to it. */
    private static Map<String, Long> inboxEndOffsets(EmbeddedKafkaBroker broker, List<NodeProcess> nodes)
            throws Exception {
        Map<String, TopicPartition> inboxes = nodes.stream()
                .collect(Collectors.toMap(
                        NodeProcess::id, n -> new TopicPartition(RaftChannels.KAFKA_TOPIC_PREFIX + n.id(), 0)));
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getAdvertisedListeners()))) {
            Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(inboxes.values().stream()
                            .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest())))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            return inboxes.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> ends.get(e.getValue())
                    .offset()));
        }
    }
}
