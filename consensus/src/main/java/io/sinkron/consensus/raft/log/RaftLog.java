package io.sinkron.consensus.raft.log;

import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's replicated log in memory: the latest snapshot's metadata (which replaces every entry up to its index, Raft
 * §7) followed by the entries after it. Indices are contiguous; every mutation re-checks that. Internal to the core:
 * single-threaded, never blocks, throws {@link IllegalStateException} when a caller would break an invariant.
 */
public final class RaftLog {

    /** What {@link #term} answers for an index it cannot see (compacted or beyond the end). */
    public static final long UNKNOWN_TERM = -1;

    private SnapshotMeta snapshot;
    private final ArrayList<LogEntry> entries = new ArrayList<>();

    public RaftLog(SnapshotMeta snapshot, List<LogEntry> entries) {
        this.snapshot = snapshot;
        for (LogEntry entry : entries) {
            append(entry);
        }
    }

    public SnapshotMeta snapshot() {
        return snapshot;
    }

    public long snapshotIndex() {
        return snapshot.lastIncludedIndex();
    }

    public long firstIndex() {
        return snapshotIndex() + 1;
    }

    public long lastIndex() {
        return snapshotIndex() + entries.size();
    }

    public long lastTerm() {
        return entries.isEmpty()
                ? snapshot.lastIncludedTerm()
                : entries.getLast().term();
    }

    /** Term of the entry at {@code index}; 0 at index 0; {@link #UNKNOWN_TERM} if compacted away or past the end. */
    public long term(long index) {
        if (index == snapshotIndex()) {
            return snapshot.lastIncludedTerm();
        }
        if (index < snapshotIndex() || index > lastIndex()) {
            return UNKNOWN_TERM;
        }
        return entries.get(offset(index)).term();
    }

    /** The entry at {@code index}, which must be in memory (after the snapshot, at most the last index). */
    public LogEntry entry(long index) {
        if (index <= snapshotIndex() || index > lastIndex()) {
            throw new IllegalStateException(
                    "entry " + index + " outside (" + snapshotIndex() + ", " + lastIndex() + "]");
        }
        return entries.get(offset(index));
    }

    /** Raft §5.3: the logs match at {@code index} iff the entries there have the same term. */
    public boolean matches(long index, long term) {
        return term(index) == term;
    }

    /**
     * Raft §5.4.1: a candidate's log is at least as up-to-date as ours if its last term is higher, or equal with an
     * index at least ours.
     */
    public boolean isUpToDate(long lastLogIndex, long lastLogTerm) {
        return lastLogTerm > lastTerm() || (lastLogTerm == lastTerm() && lastLogIndex >= lastIndex());
    }

    /**
     * Entries from {@code from} on, at most {@code maxCount} of them and at most {@code maxBytes} (but at least one, so
     * a single large entry still moves).
     */
    public List<LogEntry> slice(long from, int maxCount, long maxBytes) {
        if (from <= snapshotIndex()) {
            throw new IllegalStateException("slice from compacted index " + from + " <= " + snapshotIndex());
        }
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i <= lastIndex() && out.size() < maxCount; i++) {
            LogEntry entry = entry(i);
            bytes += entry.sizeBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(entry);
        }
        return out;
    }

    /** Appends one entry, which must be the next index and not lower the term (Raft §5.3, Log Matching). */
    public void append(LogEntry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append " + entry.index() + " after last index " + lastIndex());
        }
        if (entry.term() < lastTerm()) {
            throw new IllegalStateException("append term " + entry.term() + " below last term " + lastTerm());
        }
        entries.add(entry);
    }

    /** Deletes every entry at {@code from} and after (Raft §5.3: a conflicting suffix is replaced). */
    public void truncateFrom(long from) {
        if (from <= snapshotIndex()) {
            throw new IllegalStateException("truncate into the snapshot: " + from + " <= " + snapshotIndex());
        }
        while (lastIndex() >= from) {
            entries.removeLast();
        }
    }

    /** Log compaction (Raft §7): drop every entry up to {@code meta}'s index, which must be in this log. */
    public void compact(SnapshotMeta meta) {
        long index = meta.lastIncludedIndex();
        if (index <= snapshotIndex() || index > lastIndex() || term(index) != meta.lastIncludedTerm()) {
            throw new IllegalStateException("compact to " + meta + " in log (" + snapshotIndex() + ", " + lastIndex()
                    + "] with term " + term(index));
        }
        entries.subList(0, offset(index) + 1).clear();
        snapshot = meta;
    }

    /**
     * Installs a snapshot received from the leader (Raft §7, InstallSnapshot step 6–7): if our log has the snapshot's
     * last entry, entries after it are kept; otherwise the whole log is discarded.
     */
    public void restore(SnapshotMeta meta) {
        long index = meta.lastIncludedIndex();
        if (index > snapshotIndex() && index <= lastIndex() && term(index) == meta.lastIncludedTerm()) {
            entries.subList(0, offset(index) + 1).clear();
        } else {
            entries.clear();
        }
        snapshot = meta;
    }

    /** The first index of {@code term} in the run of that term ending at {@code index} (for the conflict hint). */
    public long firstIndexOfTermEndingAt(long index) {
        long term = term(index);
        long first = index;
        while (first - 1 > snapshotIndex() && term(first - 1) == term) {
            first--;
        }
        return first;
    }

    /** The last index holding {@code term} at or before {@code upTo}, or -1 if the log has none in memory. */
    public long lastIndexOfTerm(long term, long upTo) {
        for (long i = Math.min(upTo, lastIndex()); i > snapshotIndex(); i--) {
            long t = term(i);
            if (t == term) {
                return i;
            }
            if (t < term) {
                return -1;
            }
        }
        return -1;
    }

    /** The latest configuration at or before {@code index}: the last config entry, else the snapshot's. */
    public ClusterConfig configAt(long index) {
        for (long i = Math.min(index, lastIndex()); i > snapshotIndex(); i--) {
            if (entry(i).payload() instanceof EntryPayload.Config config) {
                return config.config();
            }
        }
        return snapshot.config();
    }

    /** The index of the latest configuration entry in memory, or the snapshot index if none. */
    public long lastConfigIndex() {
        for (long i = lastIndex(); i > snapshotIndex(); i--) {
            if (entry(i).payload() instanceof EntryPayload.Config) {
                return i;
            }
        }
        return snapshotIndex();
    }

    private int offset(long index) {
        return (int) (index - snapshotIndex() - 1);
    }
}
