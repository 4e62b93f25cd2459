package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link RaftLogStore} in memory, with the same semantics and checks as {@link PostgresRaftLogStore}: for the
 * simulation and tests. "Durable" means "persisted before {@link #crashCopy()}".
 *
 * <p>Thread-safe (one lock); both methods run on the caller's thread and return completed stages. A persist applies
 * all its writes or, when any is refused, none.
 */
public final class MemoryRaftLogStore implements RaftLogStore {

    /** One shard's durable state; {@code snapshot} null means the bootstrap snapshot supplied on load. */
    private record ShardState(HardState hardState, Snapshot snapshot, List<LogEntry> entries) {

        static final ShardState EMPTY = new ShardState(HardState.initial(), null, List.of());

        long snapshotIndex() {
            return snapshot == null ? 0 : snapshot.meta().lastIncludedIndex();
        }

        long lastIndex() {
            return snapshotIndex() + entries.size();
        }

        /** Term at {@code index} as the snapshot rule sees it, or -1 when nothing stored knows it. */
        long termAt(long index) {
            if (index == snapshotIndex()) {
                return snapshot == null ? 0 : snapshot.meta().lastIncludedTerm();
            }
            if (index < snapshotIndex() || index > lastIndex()) {
                return -1;
            }
            return entries.get((int) (index - snapshotIndex() - 1)).term();
        }
    }

    private final PersistLimits limits;
    private final Map<Integer, ShardState> shards;
    private boolean closed;

    public MemoryRaftLogStore(PersistLimits limits) {
        this(limits, new HashMap<>());
    }

    private MemoryRaftLogStore(PersistLimits limits, Map<Integer, ShardState> shards) {
        this.limits = limits;
        this.shards = shards;
    }

    /** A new, open store holding exactly what this one made durable: what a restarted node would find. */
    public synchronized MemoryRaftLogStore crashCopy() {
        return new MemoryRaftLogStore(limits, new HashMap<>(shards));
    }

    @Override
    public synchronized CompletionStage<PersistentState> load(int shard, SnapshotMeta bootstrap) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        if (bootstrap.lastIncludedIndex() != 0) {
            return CompletableFuture.failedStage(
                    new IllegalArgumentException("bootstrap snapshot must have index 0: " + bootstrap));
        }
        ShardState state = shards.getOrDefault(shard, ShardState.EMPTY);
        Snapshot snapshot = state.snapshot() == null ? Snapshot.bootstrap(bootstrap) : state.snapshot();
        return CompletableFuture.completedStage(new PersistentState(state.hardState(), snapshot, state.entries()));
    }

    @Override
    public synchronized CompletionStage<Void> persist(List<ShardWrite> writes) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        Map<Integer, ShardState> updated = new HashMap<>();
        try {
            limits.check(writes);
            for (ShardWrite write : writes) {
                ShardState before =
                        updated.getOrDefault(write.shard(), shards.getOrDefault(write.shard(), ShardState.EMPTY));
                updated.put(write.shard(), apply(before, write));
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            return CompletableFuture.failedStage(e);
        }
        // Atomic: nothing above touched the durable map.
        shards.putAll(updated);
        return CompletableFuture.completedStage(null);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private static ShardState apply(ShardState state, ShardWrite write) {
        Snapshot snapshot = state.snapshot();
        List<LogEntry> entries = state.entries();
        if (write.snapshot() != null) {
            SnapshotMeta meta = write.snapshot().meta();
            long index = meta.lastIncludedIndex();
            // Raft §7: keep the entries after the snapshot only if the log agrees with it at its last index.
            entries = state.termAt(index) == meta.lastIncludedTerm()
                    ? entries.subList((int) (index - state.snapshotIndex()), entries.size())
                    : List.of();
            snapshot = write.snapshot();
            state = new ShardState(state.hardState(), snapshot, List.copyOf(entries));
        }
        if (!write.entries().isEmpty()) {
            long first = write.entries().getFirst().index();
            requireFits(write.shard(), state, first);
            // Raft §5.3: a conflicting suffix is truncated, then the new entries appended.
            List<LogEntry> kept =
                    new ArrayList<>(state.entries().subList(0, (int) (first - state.snapshotIndex() - 1)));
            kept.addAll(write.entries());
            state = new ShardState(state.hardState(), snapshot, List.copyOf(kept));
        }
        if (write.hardState() != null) {
            state = new ShardState(write.hardState(), state.snapshot(), state.entries());
        }
        return state;
    }

    /** Entries must start inside the stored log or right after it; anything else would leave a gap (our bug). */
    private static void requireFits(int shard, ShardState state, long first) {
        if (first <= state.snapshotIndex() || first > state.lastIndex() + 1) {
            throw new IllegalStateException("shard " + shard + ": entries from " + first + " do not fit the log ("
                    + state.snapshotIndex() + ", " + state.lastIndex() + "]");
        }
    }
}
