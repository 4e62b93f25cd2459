package io.sinkron.nodes.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.nodes.NodeJar;
import io.sinkron.nodes.TestFiles;
import io.sinkron.nodes.TestPorts;
import io.sinkron.nodes.config.PostgresUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves on the packaged node, as a process, the crash drill of the embedded store: after SIGKILL its PostgreSQL is
// still running; the node starts again on the same data directory (stopping that server first) with its data intact;
// and a graceful SIGTERM then leaves no PostgreSQL behind.
class NodeCrashRestartIT {

    private static final Duration READY_WAIT = Duration.ofSeconds(60);

    private Path dataDir;

    @BeforeEach
    void createDirectory() throws Exception {
        dataDir = Files.createTempDirectory("sinkron-crash-");
    }

    @AfterEach
    void deleteDirectory() {
        EmbeddedPostgresServer.livePostmaster(dataDir.resolve("n1/pg")).ifPresent(ProcessHandle::destroy);
        TestFiles.deleteTree(dataDir);
    }

    @Test
    void restartsAfterSigkillAndStopsCleanlyOnSigterm() throws Exception {
        int httpPort = TestPorts.free();
        int postgresPort = TestPorts.free();
        Path pg = dataDir.resolve("n1/pg");
        Map<String, String> config = Map.of(
                "sinkron.node.id", "n1",
                "sinkron.node.data-dir", dataDir.resolve("n1").toString(),
                "sinkron.postgres.embedded-port", Integer.toString(postgresPort),
                "quarkus.http.port", Integer.toString(httpPort));
        DataSource db =
                PostgresJdbc.dataSource(new PostgresUrl("127.0.0.1", postgresPort, "postgres", "postgres", null, null));

        Instant firstStart;
        try (NodeJar first = NodeJar.start(config, dataDir.resolve("first.txt"))) {
            first.awaitReady(httpPort, READY_WAIT);
            firstStart = firstStart(db);
            first.kill();
        }
        Optional<ProcessHandle> orphan = EmbeddedPostgresServer.livePostmaster(pg);
        assertThat(orphan).as("a crashed node leaves its PostgreSQL running").isPresent();

        try (NodeJar second = NodeJar.start(config, dataDir.resolve("second.txt"))) {
            second.awaitReady(httpPort, READY_WAIT);
            assertThat(orphan.get().isAlive())
                    .as("the orphaned server was stopped")
                    .isFalse();
            assertThat(firstStart(db)).as("same database, not a fresh one").isEqualTo(firstStart);
            assertThat(second.output())
                    .contains("from an earlier run still holds")
                    .contains("0 migrations applied");

            assertThat(second.terminate()).as("graceful stop on SIGTERM").isIn(0, 143);
        }
        assertThat(EmbeddedPostgresServer.livePostmaster(pg))
                .as("no PostgreSQL after SIGTERM")
                .isEmpty();
    }

    private static Instant firstStart(DataSource db) throws Exception {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT first_start_at FROM node_meta")) {
            assertThat(r.next()).isTrue();
            return r.getTimestamp(1).toInstant();
        }
    }
}
