package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkron.nodes.process.NodeProcess;
import io.sinkron.nodes.shard.HashRing;
import io.sinkron.nodes.shard.ShardMap;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Looks at a running cluster of node processes through their HTTP API only: who leads each shard (GET /v1/cluster),
 * commit indexes, and key-value PUT/GET (/v1/kv/{key}). Each test opens its own probe, so tests share no HTTP client;
 * {@link #close()} stops the client's threads. Blocking; call from the test thread.
 */
final class ClusterProbe implements AutoCloseable {

    /** Shards per cluster under the default settings the tests run with. */
    static final int SHARDS = 8;

    /** The same placement the nodes compute from the default settings (ids n1..n3, 8 shards, 3 replicas). */
    static final ShardMap SHARD_MAP = new ShardMap(HashRing.of(List.of("n1", "n2", "n3")), SHARDS, 3);

    private static final Duration REQUEST_WAIT = Duration.ofSeconds(20);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration electionWait;

    /** {@code electionWait} bounds every wait for leaders or commit indexes. */
    ClusterProbe(Duration electionWait) {
        this.electionWait = electionWait;
    }

    /**
     * Waits until every node reports every shard with a leader, all nodes agree on it (one leader per shard), no
     * leader is in {@code excluded}, and every listed node sees the others alive.
     */
    Map<Integer, String> awaitAgreedLeaders(List<NodeProcess> nodes, Set<String> excluded) {
        Map<Integer, String> agreed = new HashMap<>();
        await().atMost(electionWait)
                .pollInterval(Duration.ofMillis(100))
                .alias("one agreed leader per shard")
                .until(() -> {
                    agreed.clear();
                    for (NodeProcess node : nodes) {
                        if (!agreesOnLeaders(cluster(node), excluded, agreed)) {
                            return false;
                        }
                    }
                    return true;
                });
        return Map.copyOf(agreed);
    }

    /**
     * Waits until every node reports the same commit index per shard and at least half of the shards committed
     * beyond {@code before}.
     */
    void awaitCommitsEqualAndAdvanced(List<NodeProcess> nodes, Map<Integer, Long> before) {
        await().atMost(electionWait)
                .alias("commit indexes equal on every node and advanced")
                .until(() -> {
                    Map<Integer, Long> first = commitIndexes(nodes.getFirst());
                    for (NodeProcess node : nodes) {
                        if (!commitIndexes(node).equals(first)) {
                            return false;
                        }
                    }
                    long advanced = first.entrySet().stream()
                            .filter(e -> e.getValue() > before.getOrDefault(e.getKey(), 0L))
                            .count();
                    return advanced >= SHARDS / 2;
                });
    }

    Map<Integer, Long> commitIndexes(NodeProcess node) throws IOException, InterruptedException {
        Map<Integer, Long> commits = new HashMap<>();
        for (JsonNode shard : cluster(node).path("shards")) {
            commits.put(shard.path("id").asInt(), shard.path("commitIndex").asLong());
        }
        return commits;
    }

    JsonNode cluster(NodeProcess node) throws IOException, InterruptedException {
        return json.readTree(node.get("/v1/cluster"));
    }

    /** PUT a value through {@code node}; the HTTP status. */
    int put(NodeProcess node, String key, String value) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(node.url().resolve("/v1/kv/" + key))
                        .timeout(REQUEST_WAIT)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofString(value))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    /** GET a value through {@code node}; asserts 200. */
    String get(NodeProcess node, String key) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(node.url().resolve("/v1/kv/" + key))
                        .timeout(REQUEST_WAIT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET %s via %s: %s", key, node.id(), response.body())
                .isEqualTo(200);
        return response.body();
    }

    @Override
    public void close() {
        http.close();
    }

    /** Adds this view's leaders to {@code agreed}; false while a member is down, a leader missing or disputed. */
    private static boolean agreesOnLeaders(JsonNode view, Set<String> excluded, Map<Integer, String> agreed) {
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
            if (!shard.path("leader").isTextual()) {
                return false;
            }
            String leader = shard.path("leader").asText();
            if (excluded.contains(leader)) {
                return false;
            }
            String seen = agreed.putIfAbsent(shard.path("id").asInt(), leader);
            if (seen != null && !seen.equals(leader)) {
                return false;
            }
        }
        return true;
    }
}
