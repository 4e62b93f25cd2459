package io.sinkron.nodes.lock;

import java.util.List;
import java.util.Objects;

/**
 * The answer to one lock command, for the client that proposed it. Replies are remembered per client for
 * at-most-once application, so they are values with a stable byte layout ({@link #encode}, {@link #decode}).
 *
 * <p>An acquire is answered {@link Granted}, {@link Waiting}, {@link Refused} (a try-lock that could not be granted)
 * or {@link Deadlock}; everything that changed nothing because it was not acceptable is an {@link Error}.
 */
public sealed interface LockReply {

    /** Version byte of the reply layout. */
    byte FORMAT_VERSION = 2;

    /** Most UTF-8 bytes of an error's detail text. */
    int DETAIL_BYTES_MAX = 512;

    /** The reply's bytes: version, kind, fields. */
    default byte[] encode() {
        return LockReplyCodec.encode(this);
    }

    /** Reads a reply; {@link IllegalArgumentException} for anything malformed. */
    static LockReply decode(byte[] bytes) {
        return LockReplyCodec.decode(bytes);
    }

    /** A Tick or LeaderChanged was applied. */
    record Ok() implements LockReply {}

    /** The session is open until {@code deadlineMs} (log time) unless kept alive. */
    record SessionOpened(long session, long ttlMs, long deadlineMs) implements LockReply {}

    /** The session's new deadline. */
    record SessionKept(long session, long ttlMs, long deadlineMs) implements LockReply {}

    /** The session is gone; {@code released} holds were released and {@code cancelled} waits withdrawn. */
    record SessionClosed(long session, int released, int cancelled) implements LockReply {}

    /**
     * The session holds the lock in {@code mode}. {@code token} is the fencing token: the log index of the entry that
     * granted it, so it only grows per lock (shared holders granted by one entry share it).
     */
    record Granted(long token, LockMode mode) implements LockReply {
        public Granted {
            Objects.requireNonNull(mode, "mode");
        }
    }

    /**
     * The request is queued at {@code position} (1 = next in line); a {@link LockEvent.Granted}, {@link
     * LockEvent.Timeout} or {@link LockEvent.Cancelled} event will say how it ended. {@code index} is the log index of
     * the entry that answered this: the event that ends the wait comes from a later entry, so a node applying its log
     * behind the leader can tell that event from the events of the session's earlier holds of the same lock. 0 in a
     * reply remembered by a version that did not record it (any event then ends the wait).
     */
    record Waiting(int position, long index) implements LockReply {}

    /** A try-lock (waitMs 0) that could not be granted at once; nothing changed. */
    record Refused(Reason reason) implements LockReply {
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }

        /** Why the lock was not grantable. The wire code is the ordinal: append new reasons, never reorder. */
        public enum Reason {
            /** Held in a conflicting mode, or earlier requests wait (FIFO). */
            BUSY,
            /** A lost holder's lock-delay has not ended yet. */
            LOCK_DELAY
        }
    }

    /**
     * To an acquire: waiting would have closed a cycle in the wait-for graph; nothing changed. {@code cycle} starts with
     * the requesting session; {@code truncated} when it was longer than {@link LockLimits#cycleStepsMax()}. To an
     * {@code AbortWait}: the wait was withdrawn; {@code cycle} is the one the command carried, never truncated.
     */
    record Deadlock(List<CycleStep> cycle, boolean truncated) implements LockReply {
        public Deadlock {
            cycle = List.copyOf(cycle);
        }
    }

    /** The hold with this token was released. */
    record Released(long token) implements LockReply {}

    /** The pending request was withdrawn. */
    record WaitCancelled() implements LockReply {}

    /** {@code holders} holds were taken away by an administrator. */
    record ForceReleased(int holders) implements LockReply {}

    /** Refused without effect. */
    record Error(LockError error, String detail) implements LockReply {
        public Error {
            Objects.requireNonNull(error, "error");
            Wire.checkText(detail, DETAIL_BYTES_MAX, "detail");
        }
    }
}
