package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.LogEntry;
import java.util.List;

/**
 * The durable part of one shard's {@link Ready}: what {@link RaftLogStore#persist} writes for that shard.
 *
 * @param shard the shard (replication group) id
 * @param snapshot a new latest snapshot, or null
 * @param entries entries replacing the stored suffix from the first one's index; may be empty
 * @param hardState new term and vote, or null
 */
public record ShardWrite(int shard, Snapshot snapshot, List<LogEntry> entries, HardState hardState) {

    public ShardWrite {
        if (shard < 0) {
            throw new IllegalArgumentException("shard must not be negative: " + shard);
        }
        entries = List.copyOf(entries);
    }

    /** The write a Ready asks for, or null when it asks for none. */
    public static ShardWrite of(int shard, Ready ready) {
        if (ready.snapshotToPersist() == null && ready.entriesToPersist().isEmpty() && ready.hardState() == null) {
            return null;
        }
        return new ShardWrite(shard, ready.snapshotToPersist(), ready.entriesToPersist(), ready.hardState());
    }

    public boolean isEmpty() {
        return snapshot == null && entries.isEmpty() && hardState == null;
    }
}
