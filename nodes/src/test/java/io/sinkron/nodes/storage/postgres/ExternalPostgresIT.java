package io.sinkron.nodes.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sinkron.nodes.MigrationScripts;
import io.sinkron.nodes.NodeJar;
import io.sinkron.nodes.TestFiles;
import io.sinkron.nodes.TestPorts;
import io.sinkron.nodes.config.PostgresUrl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves the sinkron.postgres.url path on the machine's own PostgreSQL server (127.0.0.1:5432, role sinkron/sinkron
// with CREATEDB, as .ci/postgres sets it up; skipped when absent, except under CI where it must run): the packaged node
// starts without an embedded server, migrates a fresh database, claims it, serves ready, and stops cleanly.
class ExternalPostgresIT {

    private static final PostgresUrl ADMIN = PostgresUrl.parse(
            "it.postgres-admin-url",
            System.getProperty("it.postgres-admin-url", "postgresql://sinkron:sinkron@127.0.0.1:5432/sinkron_test"));

    private Path dataDir;
    private String database;

    @BeforeEach
    void createDatabase() throws Exception {
        DataSource admin = PostgresJdbc.dataSource(ADMIN);
        try (Connection ignored = admin.getConnection()) {
            // reachable
        } catch (SQLException e) {
            if (System.getenv("CI") != null) {
                throw new IllegalStateException("CI must provide PostgreSQL at " + ADMIN + " (see .ci/postgres)", e);
            }
            assumeTrue(false, "no PostgreSQL at " + ADMIN + ": " + e.getMessage());
        }
        database = "sinkron_it_"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        execute(admin, "CREATE DATABASE " + database);
        dataDir = Files.createTempDirectory("sinkron-external-pg-");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        if (database != null) {
            execute(PostgresJdbc.dataSource(ADMIN), "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
        if (dataDir != null) {
            TestFiles.deleteTree(dataDir);
        }
    }

    @Test
    void nodeRunsOnAnExternalServer() throws Exception {
        PostgresUrl url = new PostgresUrl(ADMIN.host(), ADMIN.port(), database, ADMIN.user(), ADMIN.password(), null);
        int httpPort = TestPorts.free();
        Map<String, String> config = new HashMap<>();
        config.put("sinkron.node.id", "n1");
        config.put("sinkron.node.data-dir", dataDir.resolve("n1").toString());
        String credentials = url.password() == null ? url.user() : url.user() + ":" + url.password();
        config.put("sinkron.postgres.url", "postgresql://" + credentials + "@" + url.address() + "/" + database);
        config.put("quarkus.http.port", Integer.toString(httpPort));

        try (NodeJar node = NodeJar.start(config, dataDir.resolve("output.txt"))) {
            node.awaitReady(httpPort, Duration.ofSeconds(60));

            HttpResponse<String> cluster = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/cluster"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(cluster.statusCode()).isEqualTo(200);
            assertThat(cluster.body()).contains("\"self\":\"n1\"");
            DataSource db = PostgresJdbc.dataSource(url);
            assertThat(queryString(db, "SELECT node_id FROM node_meta")).isEqualTo("n1");
            assertThat(queryString(db, "SELECT max(version) FROM flyway_schema_history"))
                    .isEqualTo(Integer.toString(MigrationScripts.latestVersion()));
            assertThat(dataDir.resolve("n1").resolve("pg"))
                    .as("no embedded server")
                    .doesNotExist();

            assertThat(node.terminate()).as("graceful stop on SIGTERM").isIn(0, 143);
            assertThat(node.output()).contains("using the PostgreSQL server at " + url);
        }
    }

    private static void execute(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
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
