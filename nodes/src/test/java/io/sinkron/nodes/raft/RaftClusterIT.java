package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.nodes.process.LocalCluster;
import io.sinkron.nodes.process.NodeProcess;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

// Proves, on three real node processes (embedded PostgreSQL, TCP channel), the running-cluster promises: every shard
// elects exactly one leader that all nodes agree on, leaders spread over nodes, a PUT through any node is readable
// through every node, commit indexes advance together, and after kill -9 of a leader the survivors elect new leaders
// for its shards and still serve a write acknowledged before the kill. Waits with Awaitility, never fixed sleeps.
class RaftClusterIT {

    private static final Duration ELECTION_WAIT = Duration.ofSeconds(30);

    @Test
    void electsSpreadsReplicatesAndSurvivesLeaderKill() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(3, List.of());
                ClusterProbe probe = new ClusterProbe(ELECTION_WAIT)) {
            cluster.startAll();
            List<NodeProcess> nodes = cluster.nodes();

            probe.awaitAgreedLeaders(nodes, Set.of());
            await().atMost(ELECTION_WAIT)
                    .alias("leaders spread over all three nodes (preferred-leader transfer)")
                    .until(() -> new HashSet<>(probe.awaitAgreedLeaders(nodes, Set.of())
                                            .values())
                                    .size()
                            == 3);

            Map<Integer, Long> commitBefore = probe.commitIndexes(nodes.getFirst());
            for (int i = 0; i < 30; i++) {
                NodeProcess via = nodes.get(i % nodes.size());
                assertThat(probe.put(via, "key-" + i, "value-" + i))
                        .as("PUT key-%d via %s", i, via.id())
                        .isEqualTo(204);
            }
            for (NodeProcess reader : nodes) {
                for (int i = 0; i < 30; i++) {
                    assertThat(probe.get(reader, "key-" + i))
                            .as("GET key-%d via %s", i, reader.id())
                            .isEqualTo("value-" + i);
                }
            }
            probe.awaitCommitsEqualAndAdvanced(nodes, commitBefore);

            String key = "survives-the-kill";
            assertThat(probe.put(nodes.get(1), key, "acknowledged")).isEqualTo(204);
            Map<Integer, String> leaders = probe.awaitAgreedLeaders(nodes, Set.of());
            String victim = leaders.get(ClusterProbe.SHARD_MAP.shardOf(key));
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
            assertThat(probe.get(survivors.getLast(), key)).isEqualTo("after");
        }
    }
}
