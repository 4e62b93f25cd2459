package io.sinkron.consensus.raft;

import io.sinkron.schemas.raft.LogEntry;
import java.util.List;
import java.util.Objects;

/**
 * Everything a node recovers from stable storage on start (Raft §5.1): hard state, latest snapshot and the entries
 * after it, contiguous from {@code snapshot.meta().lastIncludedIndex() + 1}.
 */
public record PersistentState(HardState hardState, Snapshot snapshot, List<LogEntry> entries) {

    public PersistentState {
        Objects.requireNonNull(hardState, "hardState");
        Objects.requireNonNull(snapshot, "snapshot");
        entries = List.copyOf(entries);
        long expected = snapshot.meta().lastIncludedIndex() + 1;
        for (LogEntry entry : entries) {
            if (entry.index() != expected++) {
                throw new IllegalArgumentException("entries not contiguous after the snapshot at " + entry.index());
            }
        }
    }
}
