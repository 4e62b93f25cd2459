package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.nodes.config.InvalidConfigurationException;
import io.sinkron.nodes.config.SinkronConfig;
import io.sinkron.nodes.shard.ShardMap;
import java.time.Duration;

/**
 * The validated Raft settings of this node (from {@code sinkron.raft.*} and {@code sinkron.channel.raft}).
 *
 * <p>Timing, and why: one tick is {@code tick} (10 ms by default). The election timeout is {@code electionTicks}
 * (30) ticks, drawn by each core from [30, 60) ticks = [300, 600) ms, so a failed leader is replaced in about half a
 * second while a pause of a hundred ms or more does not start an election. 20 ticks ([200, 400) ms) was measured too
 * short on a saturated machine: young GC pauses of 100–250 ms plus run-queue waits let followers' timers fire, and a
 * 30 s lock benchmark saw 7–15 elections where 30 ticks saw 1–2 (and failover went from 333 to 440 ms median; see
 * docs/benchmarks.md). Heartbeats go every {@code heartbeatTicks} (3) ticks = 30 ms: ten fit in the shortest election
 * timeout, so losing a few frames does not depose a leader (Raft §5.6: broadcastTime ≪ electionTimeout ≪ MTBF). Pre-vote (§9.6) and
 * check-quorum (§6.2) are always on in the core, so a node that was cut off cannot disrupt the group on return.
 *
 * @param tick wall-clock length of one tick
 * @param raftConfig the core's tunables, timeouts in ticks
 * @param shardCount shards (Raft groups)
 * @param replicationFactor replicas per shard
 * @param portOffset Raft TCP port = HTTP port + this
 * @param inputQueueCapacity bound of the driver's input queue
 * @param channel transport of Raft messages
 * @param log where the Raft log is kept
 * @param logSegmentBytes bytes of writes per segment of the segmented log
 */
public record RaftSettings(
        Duration tick,
        RaftConfig raftConfig,
        int shardCount,
        int replicationFactor,
        int portOffset,
        int inputQueueCapacity,
        ChannelKind channel,
        LogKind log,
        long logSegmentBytes) {

    /** Stores the Raft log may live in. */
    public enum LogKind {
        SEGMENTED,
        POSTGRES
    }

    static final long LOG_SEGMENT_BYTES_MIN = 64 * 1024;
    /** A segment (image + writes) must stay mappable, under 2 GiB: this leaves room for an image of over 1.5 GiB. */
    static final long LOG_SEGMENT_BYTES_MAX = 256L * 1024 * 1024;

    /** Transports Raft messages may travel on. */
    public enum ChannelKind {
        TCP,
        KAFKA
    }

    /** Default timing on tcp: [300, 600) ms election timeout, 30 ms heartbeats (with 10 ms ticks). */
    static final int TCP_ELECTION_TICKS = 30;

    static final int TCP_HEARTBEAT_TICKS = 3;

    /**
     * Default timing on kafka: [1, 2) s election timeout, 100 ms heartbeats (with 10 ms ticks). A Kafka hop (produce,
     * replicate, fetch) measured 26 ms median but 250 ms at p99 and up to 1.8 s on a loaded 2-core machine; with the
     * tcp timing leaders lost their terms again and again (terms 7 → 26 in 17 s), with this one they stayed put.
     */
    static final int KAFKA_ELECTION_TICKS = 100;

    static final int KAFKA_HEARTBEAT_TICKS = 10;

    static final Duration TICK_MIN = Duration.ofMillis(1);
    static final Duration TICK_MAX = Duration.ofSeconds(1);
    static final int INPUT_QUEUE_CAPACITY_MAX = 1 << 20;

    /** Validates the raw configuration; a problem names the property. */
    public static RaftSettings from(SinkronConfig config) {
        SinkronConfig.Raft raft = config.raft();
        Duration tick = raft.tick();
        if (tick.compareTo(TICK_MIN) < 0 || tick.compareTo(TICK_MAX) > 0) {
            throw new InvalidConfigurationException("sinkron.raft.tick must be 1ms..1s, was " + tick);
        }

        if (raft.shards() < 1 || raft.shards() > ShardMap.SHARDS_MAX) {
            throw new InvalidConfigurationException(
                    "sinkron.raft.shards must be 1.." + ShardMap.SHARDS_MAX + ", was " + raft.shards());
        }
        if (raft.replicationFactor() < 1) {
            throw new InvalidConfigurationException("sinkron.raft.replication-factor must be positive");
        }
        if (raft.portOffset() < 1 || raft.portOffset() > 60_000) {
            throw new InvalidConfigurationException(
                    "sinkron.raft.port-offset must be 1..60000, was " + raft.portOffset());
        }
        if (raft.inputQueueCapacity() < 16 || raft.inputQueueCapacity() > INPUT_QUEUE_CAPACITY_MAX) {
            throw new InvalidConfigurationException(
                    "sinkron.raft.input-queue-capacity must be 16.." + INPUT_QUEUE_CAPACITY_MAX);
        }
        ChannelKind kind =
                switch (config.channel().raft().strip().toLowerCase(java.util.Locale.ROOT)) {
                    case "tcp" -> ChannelKind.TCP;
                    case "kafka" -> ChannelKind.KAFKA;
                    default ->
                        throw new InvalidConfigurationException("sinkron.channel.raft must be tcp or kafka, was '"
                                + config.channel().raft() + "'");
                };
        LogKind log =
                switch (raft.log().strip().toLowerCase(java.util.Locale.ROOT)) {
                    case "segmented" -> LogKind.SEGMENTED;
                    case "postgres" -> LogKind.POSTGRES;
                    default ->
                        throw new InvalidConfigurationException(
                                "sinkron.raft.log must be segmented or postgres, was '" + raft.log() + "'");
                };
        long segmentBytes = raft.logSegmentBytes();
        if (segmentBytes < LOG_SEGMENT_BYTES_MIN || segmentBytes > LOG_SEGMENT_BYTES_MAX) {
            throw new InvalidConfigurationException("sinkron.raft.log-segment-bytes must be " + LOG_SEGMENT_BYTES_MIN
                    + ".." + LOG_SEGMENT_BYTES_MAX + ", was " + segmentBytes);
        }
        int electionTicks =
                raft.electionTicks().orElse(kind == ChannelKind.KAFKA ? KAFKA_ELECTION_TICKS : TCP_ELECTION_TICKS);
        int heartbeatTicks =
                raft.heartbeatTicks().orElse(kind == ChannelKind.KAFKA ? KAFKA_HEARTBEAT_TICKS : TCP_HEARTBEAT_TICKS);
        if (heartbeatTicks < 1 || electionTicks < 3 * heartbeatTicks) {
            throw new InvalidConfigurationException("sinkron.raft.election-ticks (" + electionTicks
                    + ") must be at least 3 x sinkron.raft.heartbeat-ticks (" + heartbeatTicks + ")");
        }
        if (raft.snapshotEntries() < 1) {
            throw new InvalidConfigurationException(
                    "sinkron.raft.snapshot-entries must be positive, was " + raft.snapshotEntries());
        }
        RaftConfig core = RaftConfig.defaults()
                .withTimeouts(electionTicks, heartbeatTicks)
                .withSnapshotThresholdEntries(raft.snapshotEntries())
                .withLeaderPersistsInParallel(raft.leaderPersistsInParallel());
        return new RaftSettings(
                tick,
                core,
                raft.shards(),
                raft.replicationFactor(),
                raft.portOffset(),
                raft.inputQueueCapacity(),
                kind,
                log,
                segmentBytes);
    }
}
