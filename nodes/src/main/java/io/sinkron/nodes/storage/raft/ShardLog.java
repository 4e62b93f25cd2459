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
 * One shard's Raft state as {@link SegmentedRaftLogStore} and {@link MemoryRaftLogStore} keep it in memory: hard state, latest snapshot and the
 * entries after it. Applying a {@link ShardWrite} follows the store contract (snapshot, then entries, then hard state;
 * Raft §7 and §5.3) in place, in time proportional to the entries added or dropped, not to the log's length.
 *
 * <p>Not thread-safe: the store guards it with its own lock.
 */
final class ShardLog {

    private HardState hardState = HardState.initial();
    /** Null: the bootstrap snapshot the caller supplies on load (index 0). */
    private Snapshot snapshot;
    /** Entries {@code snapshotIndex() + 1 ..}, consecutive. */
    private final ArrayList<LogEntry> entries = new ArrayList<>();

    /**
     * Checks a whole persist call against {@code shards} without changing them: throws {@link IllegalStateException}
     * unless every write fits the log as the writes before it in the call leave it.
     */
    static void checkCall(Map<Integer, ShardLog> shards, List<ShardWrite> writes) {
        Map<Integer, Integer> perShard = new HashMap<>();
        for (ShardWrite write : writes) {
            perShard.merge(write.shard(), 1, Integer::sum);
        }
        Map<Integer, ShardLog> scratch = new HashMap<>();
        for (ShardWrite write : writes) {
            ShardLog live = shards.getOrDefault(write.shard(), new ShardLog());
            if (perShard.get(write.shard()) == 1) {
                live.checkFits(write);
            } else {
                // Rare: several writes for one shard in one call; check them in order on a copy.
                ShardLog copy = scratch.computeIfAbsent(write.shard(), s -> live.copy());
                copy.checkFits(write);
                copy.apply(write);
            }
        }
    }

    /** Applies a call {@link #checkCall} accepted. */
    static void applyCall(Map<Integer, ShardLog> shards, List<ShardWrite> writes) {
        for (ShardWrite write : writes) {
            shards.computeIfAbsent(write.shard(), s -> new ShardLog()).apply(write);
        }
    }

    /**
     * What {@link RaftLogStore#load} answers for a shard stored as {@code log} (null: never written): a failed stage
     * with {@link IllegalArgumentException} when {@code bootstrap} is not at index 0.
     */
    static CompletionStage<PersistentState> load(ShardLog log, SnapshotMeta bootstrap) {
        if (bootstrap.lastIncludedIndex() != 0) {
            return CompletableFuture.failedStage(
                    new IllegalArgumentException("bootstrap snapshot must have index 0: " + bootstrap));
        }
        return CompletableFuture.completedStage(state(log, bootstrap));
    }

    private static PersistentState state(ShardLog log, SnapshotMeta bootstrap) {
        if (log == null) {
            return new PersistentState(HardState.initial(), Snapshot.bootstrap(bootstrap), List.of());
        }
        Snapshot snapshot = log.snapshot == null ? Snapshot.bootstrap(bootstrap) : log.snapshot;
        return new PersistentState(log.hardState, snapshot, log.entries);
    }

    HardState hardState() {
        return hardState;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    List<LogEntry> entries() {
        return entries;
    }

    long snapshotIndex() {
        return snapshot == null ? 0 : snapshot.meta().lastIncludedIndex();
    }

    long lastIndex() {
        return snapshotIndex() + entries.size();
    }

    /** Term at {@code index} as the snapshot rule sees it, or -1 when nothing stored knows it. */
    long termAt(long index) {
        long snapshotIndex = snapshotIndex();
        if (index == snapshotIndex) {
            return snapshot == null ? 0 : snapshot.meta().lastIncludedTerm();
        }
        if (index < snapshotIndex || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    /**
     * Throws {@link IllegalStateException} unless {@code write} can be applied right now: its entries must start
     * inside the log (as the write's own snapshot leaves it) or right after it. Nothing else in a write can fail.
     */
    void checkFits(ShardWrite write) {
        if (write.entries().isEmpty()) {
            return;
        }
        long snapshotIndex = snapshotIndex();
        long lastIndex = lastIndex();
        if (write.snapshot() != null) {
            SnapshotMeta meta = write.snapshot().meta();
            snapshotIndex = meta.lastIncludedIndex();
            if (termAt(snapshotIndex) != meta.lastIncludedTerm()) {
                lastIndex = snapshotIndex;
            }
        }
        requireFits(write.shard(), write.entries().getFirst().index(), snapshotIndex, lastIndex);
    }

    private static void requireFits(int shard, long first, long snapshotIndex, long lastIndex) {
        if (first <= snapshotIndex || first > lastIndex + 1) {
            throw new IllegalStateException("shard " + shard + ": entries from " + first + " do not fit the log ("
                    + snapshotIndex + ", " + lastIndex + "]");
        }
    }

    /** Applies {@code write}; {@link #checkFits} must have passed for it in this state. */
    void apply(ShardWrite write) {
        if (write.snapshot() != null) {
            SnapshotMeta meta = write.snapshot().meta();
            long index = meta.lastIncludedIndex();
            // Raft §7: keep the entries after the snapshot only if the log agrees with it at its last index.
            if (termAt(index) == meta.lastIncludedTerm()) {
                entries.subList(0, (int) (index - snapshotIndex())).clear();
            } else {
                entries.clear();
            }
            snapshot = write.snapshot();
        }
        if (!write.entries().isEmpty()) {
            long first = write.entries().getFirst().index();
            requireFits(write.shard(), first, snapshotIndex(), lastIndex());
            // Raft §5.3: a conflicting suffix is truncated, then the new entries appended.
            entries.subList((int) (first - snapshotIndex() - 1), entries.size()).clear();
            entries.addAll(write.entries());
        }
        if (write.hardState() != null) {
            hardState = write.hardState();
        }
    }

    /** This state as one write that rebuilds it on an empty log; null when it equals an empty log's. */
    ShardWrite image(int shard) {
        if (snapshot == null && entries.isEmpty() && hardState.equals(HardState.initial())) {
            return null;
        }
        return new ShardWrite(shard, snapshot, entries, hardState);
    }

    /** A copy, for checking several writes to one shard in one call without touching this state. */
    ShardLog copy() {
        ShardLog copy = new ShardLog();
        copy.hardState = hardState;
        copy.snapshot = snapshot;
        copy.entries.addAll(entries);
        return copy;
    }
}
