package io.sinkron.nodes.raft;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The Raft driver's meters. Per-shard gauges read the published {@link RaftView}, so registering them costs the
 * driver nothing per loop; counters and timers are updated by the driver and the channel's delivery thread.
 */
final class RaftMetrics {

    final Timer persist;
    final DistributionSummary appendBatchEntries;
    final DistributionSummary persistBatchShards;
    final Counter sent;
    final Counter sendFailed;
    final Counter received;
    final Counter receivedDropped;
    final Counter inputsRefused;

    RaftMetrics(MeterRegistry registry, String channel) {
        this.persist = Timer.builder("sinkron.raft.persist")
                .description("Time from handing one group-commit batch to the store until it is durable")
                .publishPercentileHistogram()
                .register(registry);
        this.appendBatchEntries = DistributionSummary.builder("sinkron.raft.append.batch.entries")
                .description("Log entries written by one group commit, over all shards")
                .register(registry);
        this.persistBatchShards = DistributionSummary.builder("sinkron.raft.persist.batch.shards")
                .description("Shards with writes in one group commit")
                .register(registry);
        this.sent = messages(registry, channel, "sent");
        this.sendFailed = messages(registry, channel, "send-failed");
        this.received = messages(registry, channel, "received");
        this.receivedDropped = messages(registry, channel, "dropped");
        this.inputsRefused = Counter.builder("sinkron.raft.inputs.refused")
                .description("Inputs refused because the driver's queue was full")
                .register(registry);
    }

    private static Counter messages(MeterRegistry registry, String channel, String outcome) {
        return Counter.builder("sinkron.raft.messages")
                .description("Raft messages by outcome (sent, send-failed, received, dropped)")
                .tag("channel", channel)
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Registers the per-shard meters of one local replica. */
    static void registerShard(MeterRegistry registry, int shard, Supplier<RaftView> views) {
        String tag = Integer.toString(shard);
        gauge(registry, "sinkron.raft.term", "Latest term seen", tag, views, s -> s.view()
                .term());
        gauge(
                registry,
                "sinkron.raft.role",
                "0 follower, 1 pre-candidate, 2 candidate, 3 leader",
                tag,
                views,
                s -> s.role().ordinal());
        gauge(registry, "sinkron.raft.commit.index", "Highest committed index", tag, views, s -> s.view()
                .commitIndex());
        gauge(registry, "sinkron.raft.applied.index", "Highest applied index", tag, views, s -> s.view()
                .appliedIndex());
        gauge(
                registry,
                "sinkron.raft.snapshot.index",
                "Last index covered by this replica's latest snapshot",
                tag,
                views,
                RaftView.ShardStatus::snapshotIndex);
        gauge(
                registry,
                "sinkron.raft.apply.lag",
                "Entries committed but not yet applied on this replica",
                tag,
                views,
                s -> s.view().commitIndex() - s.view().appliedIndex());
        FunctionCounter.builder("sinkron.raft.proposals", views, v -> {
                    RaftView.ShardStatus status = v.get().shards().get(shard);
                    return status == null ? 0 : status.proposals();
                })
                .description("Proposals accepted as leader")
                .tag("shard", tag)
                .register(registry);
    }

    private static void gauge(
            MeterRegistry registry,
            String name,
            String description,
            String shard,
            Supplier<RaftView> views,
            ToDoubleFunction<RaftView.ShardStatus> value) {
        int id = Integer.parseInt(shard);
        Gauge.builder(name, views, v -> {
                    RaftView.ShardStatus status = v.get().shards().get(id);
                    return status == null ? Double.NaN : value.applyAsDouble(status);
                })
                .description(description)
                .tag("shard", shard)
                .register(registry);
    }
}
