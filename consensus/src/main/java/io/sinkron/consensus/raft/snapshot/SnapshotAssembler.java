package io.sinkron.consensus.raft.snapshot;

import io.sinkron.schemas.raft.SnapshotMeta;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A follower's half of chunked InstallSnapshot (Raft §7, steps 2–5): chunks must arrive in order from offset 0; a
 * chunk at another offset, or of another snapshot, is answered with the offset expected, so the leader resumes from
 * there. The assembled size is bounded by {@code maxSnapshotBytes}. Internal to the core; single-threaded.
 */
public final class SnapshotAssembler {

    /** The result of accepting a chunk. */
    public sealed interface Outcome {
        /** More chunks are needed; the leader should send from {@code nextOffset}. */
        record Incomplete(long nextOffset) implements Outcome {}

        /** The last chunk arrived: the whole snapshot. */
        record Complete(SnapshotMeta meta, byte[] data) implements Outcome {
            @Override
            public boolean equals(Object other) {
                return other instanceof Complete c && meta.equals(c.meta) && Arrays.equals(data, c.data);
            }

            @Override
            public int hashCode() {
                return meta.hashCode() * 31 + Arrays.hashCode(data);
            }

            @Override
            public String toString() {
                return "Complete[" + meta + ", " + data.length + "B]";
            }
        }
    }

    private final long maxSnapshotBytes;
    private SnapshotMeta meta;
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    public SnapshotAssembler(long maxSnapshotBytes) {
        this.maxSnapshotBytes = maxSnapshotBytes;
    }

    /** Accepts one chunk; see the class comment for ordering. */
    public Outcome accept(SnapshotMeta chunkMeta, long offset, byte[] chunk, boolean done) {
        if (offset == 0) {
            meta = chunkMeta;
            buffer = new ByteArrayOutputStream();
        } else if (!chunkMeta.equals(meta) || offset != buffer.size()) {
            return new Outcome.Incomplete(chunkMeta.equals(meta) ? buffer.size() : 0);
        }
        if ((long) buffer.size() + chunk.length > maxSnapshotBytes) {
            // Refuse rather than grow without bound (STYLE.md rule 12); the leader retries from 0 and an operator
            // must raise the limit.
            meta = null;
            buffer = new ByteArrayOutputStream();
            return new Outcome.Incomplete(0);
        }
        buffer.writeBytes(chunk);
        if (!done) {
            return new Outcome.Incomplete(buffer.size());
        }
        Outcome complete = new Outcome.Complete(meta, buffer.toByteArray());
        meta = null;
        buffer = new ByteArrayOutputStream();
        return complete;
    }
}
