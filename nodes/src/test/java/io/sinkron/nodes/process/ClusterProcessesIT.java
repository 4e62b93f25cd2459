package io.sinkron.nodes.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

// Proves, on three real node processes with embedded PostgreSQL, what a newcomer's first drill shows: every node sees
// three live members; a SIGKILLed node is reported not alive by the others; it restarts on its data directory even
// though its crashed PostgreSQL is still running; and a graceful stop leaves no node or PostgreSQL process behind.
class ClusterProcessesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MEMBERSHIP_WAIT = Duration.ofSeconds(20);

    @Test
    void membersAliveKillNoticedRestartRejoinsAndStopLeavesNoProcess() throws Exception {
        List<ProcessHandle> spawned = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.of(3, List.of())) {
            cluster.startAll();
            for (NodeProcess node : cluster.nodes()) {
                spawned.add(ProcessHandle.of(node.pid()).orElseThrow());
                node.postgres().ifPresent(spawned::add);
            }
            awaitEveryoneSees(cluster, List.of("n1", "n2", "n3"), "n1", true);
            awaitEveryoneSees(cluster, List.of("n1", "n2", "n3"), "n2", true);
            awaitEveryoneSees(cluster, List.of("n1", "n2", "n3"), "n3", true);

            NodeProcess n2 = cluster.node("n2");
            n2.kill();
            assertThat(n2.postgres())
                    .as("a crashed node leaves its PostgreSQL running")
                    .isPresent();
            awaitEveryoneSees(cluster, List.of("n1", "n3"), "n2", false);

            n2.start();
            cluster.awaitReady(n2);
            spawned.add(ProcessHandle.of(n2.pid()).orElseThrow());
            n2.postgres().ifPresent(spawned::add);
            awaitEveryoneSees(cluster, List.of("n1", "n2", "n3"), "n2", true);
        }
        assertThat(spawned).as("processes started by the test").isNotEmpty();
        for (ProcessHandle process : spawned) {
            // A stopping PostgreSQL may linger a moment after its pid file is gone: await its exit, bounded.
            assertThat(process.onExit())
                    .as(
                            "process %d (%s) still alive after stop",
                            process.pid(), process.info().commandLine())
                    .succeedsWithin(Duration.ofSeconds(30));
        }
    }

    private static void awaitEveryoneSees(LocalCluster cluster, List<String> observers, String peer, boolean alive) {
        for (String observer : observers) {
            NodeProcess node = cluster.node(observer);
            await().atMost(MEMBERSHIP_WAIT)
                    .pollInterval(Duration.ofMillis(100))
                    .alias(String.format("%s reports %s alive=%s", observer, peer, alive))
                    .until(() -> aliveAsSeenBy(node, peer).orElse(!alive) == alive);
        }
    }

    private static Optional<Boolean> aliveAsSeenBy(NodeProcess observer, String peer) {
        try {
            JsonNode view = JSON.readTree(observer.get("/v1/cluster"));
            assertThat(view.path("self").asText()).isEqualTo(observer.id());
            assertThat(view.path("members")).hasSize(3);
            for (JsonNode member : view.path("members")) {
                if (member.path("id").asText().equals(peer)) {
                    return Optional.of(member.path("alive").asBoolean());
                }
            }
            return Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
