package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.RaftStorage;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * In-memory {@link RaftStorage} that models a disk: what {@link #persist} stored survives {@link #crash()}, nothing
 * else exists. With a {@link StorageFault} it lies in one specific way, for the canaries. Single-threaded.
 */
public final class SimStorage implements RaftStorage {

    private final StorageFault fault;
    private HardState hardState = HardState.initial();
    private Snapshot snapshot;
    private final List<LogEntry> entries = new ArrayList<>();
    private long unsyncedFrom = Long.MAX_VALUE;

    public SimStorage(SnapshotMeta bootstrap, StorageFault fault) {
        this.snapshot = Snapshot.bootstrap(bootstrap);
        this.fault = fault;
    }

    @Override
    public PersistentState load() {
        return new PersistentState(hardState, snapshot, entries);
    }

    @Override
    public void persist(Snapshot newSnapshot, List<LogEntry> newEntries, HardState newHardState) {
        if (newSnapshot != null) {
            long index = newSnapshot.meta().lastIncludedIndex();
            boolean keepSuffix =
                    index <= lastIndex() && termAt(index) == newSnapshot.meta().lastIncludedTerm();
            if (keepSuffix) {
                entries.subList(0, (int) (index - snapshotIndex())).clear();
            } else {
                entries.clear();
            }
            snapshot = newSnapshot;
        }
        if (!newEntries.isEmpty()) {
            long first = newEntries.getFirst().index();
            if (first <= snapshotIndex() || first > lastIndex() + 1) {
                throw new IllegalStateException(
                        "entries from " + first + " do not fit log (" + snapshotIndex() + ", " + lastIndex() + "]");
            }
            entries.subList((int) (first - snapshotIndex() - 1), entries.size()).clear();
            entries.addAll(newEntries);
            unsyncedFrom = Math.min(unsyncedFrom, first);
        }
        if (newHardState != null) {
            hardState = newHardState;
        }
    }

    /**
     * The process died: with {@link StorageFault#LOSE_UNSYNCED_ENTRIES} recent writes are lost, with {@link
     * StorageFault#FORGET_VOTE_ON_CRASH} the vote is.
     */
    public void crash() {
        if (fault == StorageFault.LOSE_UNSYNCED_ENTRIES && unsyncedFrom <= lastIndex()) {
            long from = Math.max(unsyncedFrom, snapshotIndex() + 1);
            entries.subList((int) (from - snapshotIndex() - 1), entries.size()).clear();
        }
        if (fault == StorageFault.FORGET_VOTE_ON_CRASH) {
            hardState = new HardState(hardState.term(), HardState.NONE);
        }
        unsyncedFrom = Long.MAX_VALUE;
    }

    /** A checkpoint of the fault model: writes before this call count as synced. */
    public void sync() {
        unsyncedFrom = Long.MAX_VALUE;
    }

    long snapshotIndex() {
        return snapshot.meta().lastIncludedIndex();
    }

    long lastIndex() {
        return snapshotIndex() + entries.size();
    }

    /** The stored entry at {@code index}, or null if compacted into the snapshot or beyond the end. */
    LogEntry entryAt(long index) {
        if (index <= snapshotIndex() || index > lastIndex()) {
            return null;
        }
        return entries.get((int) (index - snapshotIndex() - 1));
    }

    /** Voters of the latest configuration stored: the last configuration entry, else the snapshot's. */
    Set<Integer> latestVoters() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).payload() instanceof EntryPayload.Config(ClusterConfig config)) {
                return config.voters();
            }
        }
        return snapshot.meta().config().voters();
    }

    long termAt(long index) {
        if (index == snapshotIndex()) {
            return snapshot.meta().lastIncludedTerm();
        }
        if (index < snapshotIndex() || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - snapshotIndex() - 1)).term();
    }
}
