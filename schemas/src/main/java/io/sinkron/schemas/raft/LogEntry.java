package io.sinkron.schemas.raft;

import java.util.Objects;

/**
 * One entry of the replicated log (Raft §5.3).
 *
 * @param term the leader's term when the entry was created; at least 1
 * @param index the entry's position in the log; at least 1
 * @param payload what it carries
 */
public record LogEntry(long term, long index, EntryPayload payload) {

    public LogEntry {
        if (term < 1 || index < 1) {
            throw new IllegalArgumentException("term and index start at 1: term=" + term + ", index=" + index);
        }
        Objects.requireNonNull(payload, "payload");
    }

    /** Wire size estimate: term, index and payload. */
    public int sizeBytes() {
        return 16 + payload.sizeBytes();
    }
}
