package io.sinkron.nodes.lock;

import java.util.List;
import java.util.Objects;

/**
 * Something that happened to a session or lock while an entry was applied, for WebSocket subscribers (DESIGN.md §4).
 * Every event names the log {@code index} of the entry that caused it and the {@code session} concerned; events are
 * produced in the same order on every replica.
 *
 * <p>Life cycles: every {@link Waiting} is followed by exactly one {@link Granted}, {@link Timeout}, {@link
 * Cancelled} or {@link Deadlock} (an {@code AbortWait}) for that session and lock; every hold ({@link Granted}) ends with exactly one {@link Released} or {@link
 * Lost} (an upgrade is a second {@link Granted} of the same hold, with the new token).
 */
public sealed interface LockEvent {

    /** Log index of the entry whose application produced the event. */
    long index();

    /** The session concerned. */
    long session();

    /** The session now holds {@code name} in {@code mode} under fencing token {@code token}. */
    record Granted(long index, long session, String name, LockMode mode, long token) implements LockEvent {
        public Granted {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** The session's request for {@code name} is queued at {@code position} (1 = next). */
    record Waiting(long index, long session, String name, LockMode mode, int position) implements LockEvent {
        public Waiting {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** The session gave up its hold (release or session close). */
    record Released(long index, long session, String name, long token) implements LockEvent {
        public Released {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The session lost its hold without releasing it: its session expired, or an administrator forced it. */
    record Lost(long index, long session, String name, long token) implements LockEvent {
        public Lost {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The session expired: no keep-alive before its deadline. Followed by its {@link Lost} and {@link Cancelled}. */
    record Expired(long index, long session) implements LockEvent {}

    /** The session's wait for {@code name} ran out. */
    record Timeout(long index, long session, String name) implements LockEvent {
        public Timeout {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The session's wait for {@code name} was withdrawn (cancel, close, expiry, or its shared hold ended). */
    record Cancelled(long index, long session, String name) implements LockEvent {
        public Cancelled {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * The session's acquire of {@code name} was refused because waiting would close {@code cycle} (then the cycle starts
     * with the session), or its wait for {@code name} was withdrawn by {@code AbortWait} because it is part of a cycle
     * across shards (then the cycle is as the detector reported it).
     */
    record Deadlock(long index, long session, String name, List<CycleStep> cycle) implements LockEvent {
        public Deadlock {
            Objects.requireNonNull(name, "name");
            cycle = List.copyOf(cycle);
        }
    }
}
