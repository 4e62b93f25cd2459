package io.sinkron.nodes.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the start-up validation of the sinkron.* configuration: raw properties go through the real @ConfigMapping
// (with Quarkus' duration syntax) into NodeSettings, defaults are filled in, and each mistake names its property.
class NodeSettingsTest {

    private static final String PEERS = "n1=http://127.0.0.1:8081, n2=http://127.0.0.1:8082,n3=http://127.0.0.1:8083/";

    @Test
    void parsesTheLaunchersConfiguration() {
        NodeSettings settings = settings(Map.of(
                "sinkron.node.id", "n2",
                "sinkron.node.peers", PEERS,
                "sinkron.node.data-dir", "/var/lib/sinkron/n2",
                "sinkron.postgres.embedded-port", "15432"));

        assertThat(settings.selfId()).isEqualTo("n2");
        assertThat(settings.peers())
                .extracting(Peer::id, Peer::url)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("n1", URI.create("http://127.0.0.1:8081")),
                        org.assertj.core.groups.Tuple.tuple("n2", URI.create("http://127.0.0.1:8082")),
                        org.assertj.core.groups.Tuple.tuple("n3", URI.create("http://127.0.0.1:8083")));
        assertThat(settings.self().url()).isEqualTo(URI.create("http://127.0.0.1:8082"));
        assertThat(settings.others()).extracting(Peer::id).containsExactly("n1", "n3");
        assertThat(settings.storage())
                .isEqualTo(
                        new StorageSettings.Embedded(Path.of("/var/lib/sinkron/n2/pg"), 15432, Duration.ofSeconds(10)));
        assertThat(settings.probeInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.probeTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void defaultsToAMembershipOfOneAndADataDirectoryNamedAfterTheNode() {
        NodeSettings settings = settings(Map.of("sinkron.node.id", "n7"));

        assertThat(settings.peers()).containsExactly(new Peer("n7", URI.create("http://127.0.0.1:8089")));
        assertThat(settings.dataDir()).isEqualTo(Path.of("data/n7").toAbsolutePath());
        assertThat(settings.storage()).isInstanceOf(StorageSettings.Embedded.class);
    }

    @Test
    void usesAnExternalServerWhenAUrlIsGiven() {
        NodeSettings settings = settings(Map.of(
                "sinkron.node.id", "n1",
                "sinkron.postgres.url", "postgresql://sinkron:s3cret@db.example:6543/sinkron_n1",
                "sinkron.postgres.connect-timeout", "3s"));

        assertThat(settings.storage())
                .isEqualTo(new StorageSettings.External(
                        new PostgresUrl("db.example", 6543, "sinkron_n1", "sinkron", "s3cret", null),
                        Duration.ofSeconds(3)));
    }

    @Test
    void readsDurationsInQuarkusSyntax() {
        NodeSettings settings = settings(Map.of(
                "sinkron.node.id", "n1",
                "sinkron.membership.probe-interval", "250ms",
                "sinkron.membership.probe-timeout", "PT2S"));

        assertThat(settings.probeInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.probeTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesANodeThatIsNotAMember() {
        assertInvalid(
                Map.of("sinkron.node.id", "n9", "sinkron.node.peers", PEERS),
                "sinkron.node.id 'n9' is not in sinkron.node.peers (n1, n2, n3)");
    }

    @Test
    void refusesAMissingNodeId() {
        assertInvalid(Map.of("sinkron.node.peers", PEERS), "sinkron.node.id is not set");
    }

    @Test
    void refusesMalformedPeerLists() {
        assertInvalid(peers("n1=http://127.0.0.1:8081,n2"), "entry 'n2' is not id=url");
        assertInvalid(peers("n1=http://127.0.0.1:8081,,n2=http://127.0.0.1:8082"), "entry '' is not id=url");
        assertInvalid(peers("n1=http://127.0.0.1:8081,n1=http://127.0.0.1:8082"), "lists 'n1' twice");
        assertInvalid(peers("n1=http://127.0.0.1:8081,n2=http://127.0.0.1:8081"), "the same URL");
        assertInvalid(peers("n1=127.0.0.1:8081"), "the scheme must be http:// or https://");
        assertInvalid(peers("n1=http://127.0.0.1"), "it names no port");
        assertInvalid(peers("n1=http://127.0.0.1:8081/api"), "it must be a base URL");
        assertInvalid(peers("n 1=http://127.0.0.1:8081"), "'n 1' is not a node id");
        assertInvalid(peers(" "), "sinkron.node.peers is empty");
    }

    @Test
    void refusesBadPortsDurationsAndUrls() {
        assertInvalid(
                Map.of("sinkron.node.id", "n1", "sinkron.postgres.embedded-port", "70000"),
                "sinkron.postgres.embedded-port 70000 is not a TCP port");
        assertInvalid(
                Map.of("sinkron.node.id", "n1", "sinkron.membership.probe-interval", "0ms"),
                "sinkron.membership.probe-interval must be positive");
        assertInvalid(
                Map.of("sinkron.node.id", "n1", "sinkron.membership.probe-timeout", "5m"),
                "sinkron.membership.probe-timeout must be at most 60s");
        assertInvalid(
                Map.of("sinkron.node.id", "n1", "sinkron.postgres.url", "mysql://u:pw@host/db"),
                "sinkron.postgres.url 'mysql://u:***@host/db' is not a PostgreSQL URL");
    }

    private static Map<String, String> peers(String list) {
        return Map.of("sinkron.node.id", "n1", "sinkron.node.peers", list);
    }

    private static void assertInvalid(Map<String, String> properties, String message) {
        assertThatThrownBy(() -> settings(properties))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static NodeSettings settings(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SinkronConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(properties)
                .build();
        return NodeSettings.from(config.getConfigMapping(SinkronConfig.class), 8089);
    }
}
