package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkron.nodes.process.LocalCluster;
import io.sinkron.nodes.process.NodeProcess;
import io.sinkron.nodes.shard.HashRing;
import io.sinkron.nodes.shard.ShardMap;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration ELECTION_WAIT = Duration.ofSeconds(30);
    private static final int SHARDS = 8;
    /** The same placement the nodes compute from the default settings (ids n1..n3, 8 shards, 3 replicas). */
    private static final ShardMap SHARD_MAP = new ShardMap(HashRing.of(List.of("n1", "n2", "n3")), SHARDS, 3);

    @Test
    void electsSpreadsReplicatesAndSurvivesLeaderKill() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(3, List.of())) {
            cluster.startAll();
            List<NodeProcess> nodes = cluster.nodes();

            awaitAgreedLeaders(nodes, Set.of());
            await().atMost(ELECTION_WAIT)
                    .alias("leaders spread over all three nodes (preferred-leader transfer)")
                    .until(() ->
                            new HashSet<>(awaitAgreedLeaders(nodes, Set.of()).values()).size() == 3);

            Map<Integer, Long> commitBefore = commitIndexes(nodes.getFirst());
            for (int i = 0; i < 30; i++) {
                NodeProcess via = nodes.get(i % nodes.size());
                assertThat(put(via, "key-" + i, "value-" + i))
                        .as("PUT key-%d via %s", i, via.id())
                        .isEqualTo(204);
            }
            for (NodeProcess reader : nodes) {
                for (int i = 0; i < 30; i++) {
                    assertThat(get(reader, "key-" + i))
                            .as("GET key-%d via %s", i, reader.id())
                            .isEqualTo("value-" + i);
                }
            }
            await().atMost(ELECTION_WAIT)
                    .alias("commit indexes equal on every node and advanced")
                    .until(() -> {
                        Map<Integer, Long> first = commitIndexes(nodes.getFirst());
                        for (NodeProcess node : nodes) {
                            if (!commitIndexes(node).equals(first)) {
                                return false;
                            }
                        }
                        long advanced = first.entrySet().stream()
                                .filter(e -> e.getValue() > commitBefore.getOrDefault(e.getKey(), 0L))
                                .count();
                        return advanced >= SHARDS / 2;
                    });

            String key = "survives-the-kill";
            assertThat(put(nodes.get(1), key, "acknowledged")).isEqualTo(204);
            Map<Integer, String> leaders = awaitAgreedLeaders(nodes, Set.of());
            String victim = leaders.get(SHARD_MAP.shardOf(key));
            cluster.node(victim).kill();
            List<NodeProcess> survivors =
                    nodes.stream().filter(n -> !n.id().equals(victim)).toList();

            Map<Integer, String> after = awaitAgreedLeaders(survivors, Set.of(victim));
            assertThat(after.values()).doesNotContain(victim);
            for (NodeProcess survivor : survivors) {
                assertThat(get(survivor, key))
                        .as("acknowledged write via %s", survivor.id())
                        .isEqualTo("acknowledged");
            }
            assertThat(put(survivors.getFirst(), key, "after")).isEqualTo(204);
            assertThat(get(survivors.getLast(), key)).isEqualTo("after");
        }
    }

    /**
     * Waits until every node reports every shard with a leader, all nodes agree on it (one leader per shard), no
     * leader is in {@code excluded}, and every listed node sees the others alive.
     */
    private static Map<Integer, String> awaitAgreedLeaders(List<NodeProcess> nodes, Set<String> excluded) {
        Map<Integer, String> agreed = new HashMap<>();
        await().atMost(ELECTION_WAIT)
                .pollInterval(Duration.ofMillis(100))
                .alias("one agreed leader per shard")
                .until(() -> {
                    agreed.clear();
                    for (NodeProcess node : nodes) {
                        JsonNode view = cluster(node);
                        for (JsonNode member : view.path("members")) {
                            String id = member.path("id").asText();
                            if (!excluded.contains(id) && !member.path("alive").asBoolean()) {
                                return false;
                            }
                        }
                        if (view.path("shards").size() != SHARDS) {
                            return false;
                        }
                        for (JsonNode shard : view.path("shards")) {
                            String leader = shard.path("leader").isNull()
                                    ? null
                                    : shard.path("leader").asText();
                            if (leader == null || excluded.contains(leader)) {
                                return false;
                            }
                            String seen = agreed.putIfAbsent(shard.path("id").asInt(), leader);
                            if (seen != null && !seen.equals(leader)) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
        return Map.copyOf(agreed);
    }

    private static Map<Integer, Long> commitIndexes(NodeProcess node) throws Exception {
        Map<Integer, Long> commits = new HashMap<>();
        for (JsonNode shard : cluster(node).path("shards")) {
            commits.put(shard.path("id").asInt(), shard.path("commitIndex").asLong());
        }
        return commits;
    }

    private static JsonNode cluster(NodeProcess node) throws Exception {
        return JSON.readTree(node.get("/v1/cluster"));
    }

    private static int put(NodeProcess node, String key, String value) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(node.url().resolve("/v1/kv/" + key))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofString(value))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    private static String get(NodeProcess node, String key) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(node.url().resolve("/v1/kv/" + key))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET %s via %s: %s", key, node.id(), response.body())
                .isEqualTo(200);
        return response.body();
    }
}
