package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.nodes.storage.raft.PersistLimits;
import io.sinkron.nodes.storage.raft.ShardWrite;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writes of every Ready produced while the previous persist was in flight, folded into what one group commit must
 * store. Folding keeps the commit small: a shard that produced ten Readies in a row (ten proposals, ten appends from
 * its leader) becomes one write. The result leaves the store in the same state as persisting each Ready's write in
 * order would.
 *
 * <p>Two writes of one shard fold when neither carries a snapshot: entries of the later one replace the earlier one's
 * from their first index (the store's own rule, Raft §5.3), and the later hard state wins. A write with a snapshot is
 * kept apart, in order, because a snapshot decides which stored entries survive (Raft §7) and the store applies that
 * rule itself. A fold that would carry more than one store call may ({@link PersistLimits}) is not made either. Not
 * thread-safe; the driver's.
 */
final class WriteBatch {

    private final Map<Integer, List<ShardWrite>> byShard = new LinkedHashMap<>();
    private final PersistLimits limits;
    private int entries;
    private long bytes;

    /** @param limits what one store call may carry: a folded write never grows past them */
    WriteBatch(PersistLimits limits) {
        this.limits = limits;
    }

    /** Adds the next write of its shard (writes of one shard must be added in the order their Readies came). */
    void add(ShardWrite write) {
        entries += write.entries().size();
        bytes += bytesOf(write);
        List<ShardWrite> writes = byShard.computeIfAbsent(write.shard(), s -> new ArrayList<>(1));
        if (writes.isEmpty()) {
            writes.add(write);
            return;
        }
        ShardWrite last = writes.getLast();
        ShardWrite folded = fold(last, write);
        if (folded == null || folded.entries().size() > limits.entriesMax() || bytesOf(folded) > limits.bytesMax()) {
            writes.add(write); // kept apart, still in order: the driver splits the commit between them if it must
        } else {
            writes.set(writes.size() - 1, folded);
        }
    }

    /** Bytes added so far (before folding): entries plus snapshots. */
    long bytesAdded() {
        return bytes;
    }

    static long bytesOf(ShardWrite write) {
        long sum = write.snapshot() == null ? 0 : write.snapshot().data().length;
        for (LogEntry entry : write.entries()) {
            sum += entry.sizeBytes();
        }
        return sum;
    }

    boolean isEmpty() {
        return byShard.isEmpty();
    }

    /** Entries added so far (before folding), the measure of how far persistence is behind. */
    int entriesAdded() {
        return entries;
    }

    /** Every write, shards in the order they first appeared, each shard's writes in order. */
    List<ShardWrite> writes() {
        List<ShardWrite> all = new ArrayList<>();
        byShard.values().forEach(all::addAll);
        return all;
    }

    /** {@code earlier} then {@code later} as one write, or null when they must stay apart. */
    static ShardWrite fold(ShardWrite earlier, ShardWrite later) {
        if (earlier.snapshot() != null || later.snapshot() != null) {
            return null;
        }
        List<LogEntry> entries;
        if (later.entries().isEmpty()) {
            entries = earlier.entries();
        } else if (earlier.entries().isEmpty()) {
            entries = later.entries();
        } else {
            long first = later.entries().getFirst().index();
            long earlierFirst = earlier.entries().getFirst().index();
            long earlierLast = earlier.entries().getLast().index();
            if (first > earlierLast + 1) {
                return null; // not contiguous: let the store judge the gap, as it would have
            }
            entries = new ArrayList<>();
            if (first > earlierFirst) {
                entries.addAll(earlier.entries().subList(0, (int) (first - earlierFirst)));
            }
            entries.addAll(later.entries());
        }
        HardState hardState = later.hardState() != null ? later.hardState() : earlier.hardState();
        return new ShardWrite(earlier.shard(), null, entries, hardState);
    }
}
