package io.sinkron.nodes.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.nodes.MigrationScripts;
import io.sinkron.nodes.TestFiles;
import io.sinkron.nodes.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves that the node's embedded PostgreSQL keeps its data across a restart: the second start on the same directory
// reuses the same cluster (same system identifier, no initdb), finds a row written before, runs no migration again,
// and commits with fsync on. Uses the node's own EmbeddedPostgresServer and Migrations.
class EmbeddedPostgresRestartIT {

    private Path dataDir;

    @BeforeEach
    void createDirectory() throws Exception {
        dataDir = Files.createTempDirectory("sinkron-pg-restart-");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TestFiles.deleteTree(dataDir);
    }

    @Test
    void dataAndSchemaSurviveARestart() throws Exception {
        Path pg = dataDir.resolve("pg");
        int port = TestPorts.free();
        long systemId;
        int historyRows;
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(pg, port, Duration.ofSeconds(30))) {
            DataSource db = PostgresJdbc.dataSource(first.url());
            Migrations.Outcome outcome = Migrations.migrate(db, "n1");
            assertThat(outcome.applied()).isEqualTo(MigrationScripts.count());
            update(db, "CREATE TABLE probe (v text)", "INSERT INTO probe VALUES ('written before the restart')");
            systemId = queryLong(db, "SELECT system_identifier FROM pg_control_system()");
            historyRows = (int) queryLong(db, "SELECT count(*) FROM flyway_schema_history");
            assertThat(queryString(db, "SHOW fsync")).isEqualTo("on");
        }
        assertThat(EmbeddedPostgresServer.livePostmaster(pg))
                .as("stopped on close")
                .isEmpty();

        try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start(pg, port, Duration.ofSeconds(30))) {
            DataSource db = PostgresJdbc.dataSource(second.url());
            assertThat(queryLong(db, "SELECT system_identifier FROM pg_control_system()"))
                    .as("same cluster, initdb did not run again")
                    .isEqualTo(systemId);
            assertThat(queryString(db, "SELECT v FROM probe")).isEqualTo("written before the restart");

            Migrations.Outcome outcome = Migrations.migrate(db, "n1");
            assertThat(outcome.applied()).isZero();
            assertThat(outcome.schemaVersion()).isEqualTo(Integer.toString(MigrationScripts.latestVersion()));
            assertThat(queryLong(db, "SELECT count(*) FROM flyway_schema_history"))
                    .isEqualTo(historyRows);
            assertThat(queryString(db, "SHOW fsync")).isEqualTo("on");
        }
    }

    @Test
    void refusesADatabaseClaimedByAnotherNode() throws Exception {
        try (EmbeddedPostgresServer server =
                EmbeddedPostgresServer.start(dataDir.resolve("pg"), TestPorts.free(), Duration.ofSeconds(30))) {
            DataSource db = PostgresJdbc.dataSource(server.url());
            Migrations.migrate(db, "n1");

            assertThatThrownBy(() -> Migrations.migrate(db, "n2"))
                    .isInstanceOf(StorageStartException.class)
                    .hasMessageContaining("belongs to node 'n1', not 'n2'");
        }
    }

    private static void update(DataSource db, String... statements) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.executeUpdate(sql);
            }
        }
    }

    private static long queryLong(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            assertThat(r.next()).isTrue();
            return r.getLong(1);
        }
    }

    private static String queryString(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            assertThat(r.next()).isTrue();
            return r.getString(1);
        }
    }
}
