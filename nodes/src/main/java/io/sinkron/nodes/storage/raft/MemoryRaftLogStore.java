package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link RaftLogStore} in memory, with the same semantics and checks as the durable stores: for the simulation and
 * tests. "Durable" means "persisted before {@link #crashCopy()}".
 *
 * <p>Thread-safe (one lock); both methods run on the caller's thread and return completed stages. A persist applies
 * all its writes or, when any is refused, none.
 */
public final class MemoryRaftLogStore implements RaftLogStore {

    private final PersistLimits limits;
    private final Map<Integer, ShardLog> shards;
    private boolean closed;

    public MemoryRaftLogStore(PersistLimits limits) {
        this(limits, new HashMap<>());
    }

    private MemoryRaftLogStore(PersistLimits limits, Map<Integer, ShardLog> shards) {
        this.limits = limits;
        this.shards = shards;
    }

    /** A new, open store holding exactly what this one made durable: what a restarted node would find. */
    public synchronized MemoryRaftLogStore crashCopy() {
        Map<Integer, ShardLog> copy = new HashMap<>();
        shards.forEach((shard, log) -> copy.put(shard, log.copy()));
        return new MemoryRaftLogStore(limits, copy);
    }

    @Override
    public synchronized CompletionStage<PersistentState> load(int shard, SnapshotMeta bootstrap) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        return ShardLog.load(shards.get(shard), bootstrap);
    }

    @Override
    public synchronized CompletionStage<Void> persist(List<ShardWrite> writes) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        try {
            limits.check(writes);
            ShardLog.checkCall(shards, writes);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return CompletableFuture.failedStage(e);
        }
        ShardLog.applyCall(shards, writes);
        return CompletableFuture.completedStage(null);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
