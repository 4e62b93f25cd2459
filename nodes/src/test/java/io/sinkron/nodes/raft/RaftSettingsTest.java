package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.sinkron.nodes.config.InvalidConfigurationException;
import io.sinkron.nodes.config.SinkronConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the Raft settings through the real @ConfigMapping: timing defaults follow the channel (tcp fast, kafka
// slower), explicit values win over them, and each mistake names its property.
class RaftSettingsTest {

    @Test
    void tcpDefaultsAreFastTiming() {
        RaftSettings settings = settings(Map.of());
        assertThat(settings.channel()).isEqualTo(RaftSettings.ChannelKind.TCP);
        assertThat(settings.raftConfig().electionTimeoutTicks()).isEqualTo(30);
        assertThat(settings.raftConfig().heartbeatTicks()).isEqualTo(3);
        assertThat(settings.tick()).isEqualTo(Duration.ofMillis(10));
        assertThat(settings.shardCount()).isEqualTo(8);
        assertThat(settings.replicationFactor()).isEqualTo(3);
        assertThat(settings.raftConfig().snapshotThresholdEntries()).isEqualTo(10_000);
        assertThat(settings.raftConfig().leaderPersistsInParallel()).isTrue();
        assertThat(settings.log()).isEqualTo(RaftSettings.LogKind.SEGMENTED);
        assertThat(settings.logSegmentBytes()).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void theRaftLogCanLiveInPostgres() {
        RaftSettings settings = settings(Map.of("sinkron.raft.log", " Postgres"));
        assertThat(settings.log()).isEqualTo(RaftSettings.LogKind.POSTGRES);
    }

    @Test
    void parallelLeaderPersistenceCanBeTurnedOff() {
        RaftSettings settings = settings(Map.of("sinkron.raft.leader-persists-in-parallel", "false"));
        assertThat(settings.raftConfig().leaderPersistsInParallel()).isFalse();
    }

    @Test
    void kafkaDefaultsLeaveRoomForSlowerHops() {
        RaftSettings settings = settings(Map.of("sinkron.channel.raft", "Kafka"));
        assertThat(settings.channel()).isEqualTo(RaftSettings.ChannelKind.KAFKA);
        assertThat(settings.raftConfig().electionTimeoutTicks()).isEqualTo(100);
        assertThat(settings.raftConfig().heartbeatTicks()).isEqualTo(10);
    }

    @Test
    void explicitTimingWinsOverTheChannelDefault() {
        RaftSettings settings = settings(Map.of(
                "sinkron.channel.raft", "kafka",
                "sinkron.raft.election-ticks", "40",
                "sinkron.raft.heartbeat-ticks", "5"));
        assertThat(settings.raftConfig().electionTimeoutTicks()).isEqualTo(40);
        assertThat(settings.raftConfig().heartbeatTicks()).isEqualTo(5);
    }

    @Test
    void mistakesNameTheirProperty() {
        assertRefused(Map.of("sinkron.raft.election-ticks", "8"), "sinkron.raft.election-ticks (8)");
        assertRefused(Map.of("sinkron.raft.heartbeat-ticks", "0"), "sinkron.raft.heartbeat-ticks (0)");
        assertRefused(Map.of("sinkron.channel.raft", "udp"), "sinkron.channel.raft must be tcp or kafka");
        assertRefused(Map.of("sinkron.raft.tick", "0ms"), "sinkron.raft.tick");
        assertRefused(Map.of("sinkron.raft.shards", "0"), "sinkron.raft.shards");
        assertRefused(Map.of("sinkron.raft.port-offset", "0"), "sinkron.raft.port-offset");
        assertRefused(Map.of("sinkron.raft.snapshot-entries", "0"), "sinkron.raft.snapshot-entries");
        assertRefused(Map.of("sinkron.raft.log", "files"), "sinkron.raft.log must be segmented or postgres");
        assertRefused(Map.of("sinkron.raft.log-segment-bytes", "4096"), "sinkron.raft.log-segment-bytes");
    }

    private static void assertRefused(Map<String, String> properties, String message) {
        assertThatThrownBy(() -> settings(properties))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(message);
    }

    private static RaftSettings settings(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SinkronConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(properties)
                .build();
        return RaftSettings.from(config.getConfigMapping(SinkronConfig.class));
    }
}
