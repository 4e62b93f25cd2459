package io.sinkron.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves, on the packaged jar run as a process, that a node with bad configuration exits non-zero within a bounded
// time, printing exactly one "sinkron: ..." line that names the problem and no stack trace, and leaves no PostgreSQL.
class StartupFailureIT {

    private static final Duration EXIT_WAIT = Duration.ofSeconds(60);

    private Path dataDir;

    @BeforeEach
    void createDirectory() throws Exception {
        dataDir = Files.createTempDirectory("sinkron-bad-config-");
    }

    @AfterEach
    void deleteDirectory() {
        TestFiles.deleteTree(dataDir);
    }

    @Test
    void unknownNodeId() throws Exception {
        Map<String, String> config = config();
        config.put("sinkron.node.id", "n9");

        assertFailsWith(config, "sinkron.node.id 'n9' is not in sinkron.node.peers (n1, n2)");
    }

    @Test
    void unknownNodeIdFromTheEnvironment() throws Exception {
        Map<String, String> config = config();
        config.remove("sinkron.node.id");
        config.remove("sinkron.node.peers");

        assertFailsWith(
                config,
                Map.of("SINKRON_NODE_ID", "n7", "SINKRON_NODE_PEERS", "n1=http://127.0.0.1:8081"),
                "sinkron.node.id 'n7' is not in sinkron.node.peers (n1)");
    }

    @Test
    void reactivePoolPointingElsewhere() throws Exception {
        Map<String, String> config = config();
        config.put("quarkus.datasource.reactive.url", "postgresql://postgres@127.0.0.1:1/postgres");

        assertFailsWith(
                config, "quarkus.datasource.reactive.url (postgresql://postgres@127.0.0.1:1/postgres) does not");
    }

    @Test
    void malformedPeerList() throws Exception {
        Map<String, String> config = config();
        config.put("sinkron.node.peers", "n1=http://127.0.0.1:8081,n2");

        assertFailsWith(config, "sinkron.node.peers: entry 'n2' is not id=url");
    }

    @Test
    void misspelledProperty() throws Exception {
        Map<String, String> config = config();
        config.put("sinkron.node.peer", "n1=http://127.0.0.1:8081");

        assertFailsWith(config, "invalid configuration: SRCFG00050: sinkron.node.peer");
    }

    @Test
    void httpPortInUse() throws Exception {
        try (ServerSocket taken = bound()) {
            Map<String, String> config = config();
            config.put("quarkus.http.port", Integer.toString(taken.getLocalPort()));

            assertFailsWith(config, "HTTP port " + taken.getLocalPort() + " on 127.0.0.1 is already in use");
        }
    }

    @Test
    void embeddedPostgresPortInUse() throws Exception {
        try (ServerSocket taken = bound()) {
            Map<String, String> config = config();
            config.put("sinkron.postgres.embedded-port", Integer.toString(taken.getLocalPort()));

            assertFailsWith(
                    config, "embedded PostgreSQL port " + taken.getLocalPort() + " on 127.0.0.1 is already in use");
        }
    }

    @Test
    void unreachablePostgresUrl() throws Exception {
        int closed = TestPorts.free();
        Map<String, String> config = config();
        config.put("sinkron.postgres.url", "postgresql://sinkron:secret@127.0.0.1:" + closed + "/sinkron");
        config.put("sinkron.postgres.connect-timeout", "1s");

        String line = assertFailsWith(
                config, "PostgreSQL at postgresql://sinkron:***@127.0.0.1:" + closed + "/sinkron is unreachable");
        assertThat(line).contains("Connection refused").doesNotContain("secret");
    }

    /** A valid configuration for n1 of two, on free ports, in the test's directory. */
    private Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        config.put("sinkron.node.id", "n1");
        config.put("sinkron.node.peers", "n1=http://127.0.0.1:8081,n2=http://127.0.0.1:8082");
        config.put("sinkron.node.data-dir", dataDir.resolve("node").toString());
        config.put("sinkron.postgres.embedded-port", Integer.toString(TestPorts.free()));
        config.put("quarkus.http.port", Integer.toString(TestPorts.free()));
        return config;
    }

    private String assertFailsWith(Map<String, String> config, String expected) throws Exception {
        return assertFailsWith(config, Map.of(), expected);
    }

    private String assertFailsWith(Map<String, String> config, Map<String, String> environment, String expected)
            throws Exception {
        int exit;
        String output;
        String errors;
        try (NodeJar node = NodeJar.start(config, environment, dataDir.resolve("output.txt"))) {
            exit = node.awaitExit(EXIT_WAIT);
            output = node.output();
            errors = node.errors();
        }
        assertThat(exit).as("exit code; output:%n%s", output).isNotIn(0, -1);
        List<String> lines =
                output.lines().filter(line -> line.startsWith("sinkron:")).toList();
        assertThat(lines).as("output:%n%s", output).hasSize(1);
        assertThat(lines.get(0)).contains(expected);
        assertThat(errors).as("the line goes to stderr").contains(lines.get(0));
        assertThat(output).doesNotContain("\tat ").doesNotContain("at io.").doesNotContain("Caused by");
        assertThat(livePostgres()).as("no PostgreSQL left running").isFalse();
        return lines.get(0);
    }

    private boolean livePostgres() {
        Path pg = dataDir.resolve("node").resolve("pg");
        return Files.exists(pg.resolve("postmaster.pid"));
    }

    private static ServerSocket bound() throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return socket;
    }
}
