package io.sinkron.nodes.storage.raft;

import io.sinkron.schemas.raft.LogEntry;
import java.util.List;

/**
 * What one {@link RaftLogStore#persist} call may carry (STYLE.md rule 12). A call beyond any limit is refused whole,
 * before anything is written, with an {@link IllegalArgumentException}: the driver must split its batch.
 *
 * @param writesMax most shard writes per call
 * @param entriesMax most log entries per call, summed over its writes
 * @param bytesMax most bytes per call: every entry's {@link LogEntry#sizeBytes()} plus every snapshot's data; this
 *     also bounds the largest snapshot the store accepts
 */
public record PersistLimits(int writesMax, int entriesMax, long bytesMax) {

    /**
     * Room for one write per shard on a node with a thousand shards, a full AppendEntries batch ({@code
     * RaftCodec.MAX_ENTRIES_PER_MESSAGE}), and snapshots up to 128 MiB.
     */
    public static final PersistLimits DEFAULT = new PersistLimits(1024, 65_536, 128L * 1024 * 1024);

    public PersistLimits {
        if (writesMax < 1 || entriesMax < 1 || bytesMax < 1) {
            throw new IllegalArgumentException(
                    "limits must be positive: writes=" + writesMax + ", entries=" + entriesMax + ", bytes=" + bytesMax);
        }
    }

    /**
     * Checks a whole call against the limits, and each write's entries for consecutive indexes.
     *
     * @throws IllegalArgumentException naming the first limit exceeded or the first gap
     */
    void check(List<ShardWrite> writes) {
        if (writes.size() > writesMax) {
            throw new IllegalArgumentException(writes.size() + " writes exceed the limit of " + writesMax);
        }
        long entries = 0;
        long bytes = 0;
        for (ShardWrite write : writes) {
            requireConsecutive(write);
            entries += write.entries().size();
            for (LogEntry entry : write.entries()) {
                bytes += entry.sizeBytes();
            }
            if (write.snapshot() != null) {
                bytes += write.snapshot().data().length;
            }
        }
        if (entries > entriesMax) {
            throw new IllegalArgumentException(entries + " entries exceed the limit of " + entriesMax);
        }
        if (bytes > bytesMax) {
            throw new IllegalArgumentException(bytes + " bytes exceed the limit of " + bytesMax);
        }
    }

    private static void requireConsecutive(ShardWrite write) {
        List<LogEntry> entries = write.entries();
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).index() != entries.get(i - 1).index() + 1) {
                throw new IllegalArgumentException("shard " + write.shard() + ": entry index "
                        + entries.get(i).index() + " does not follow "
                        + entries.get(i - 1).index());
            }
        }
    }
}
