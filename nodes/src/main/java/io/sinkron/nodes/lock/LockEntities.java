package io.sinkron.nodes.lock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeSet;

/**
 * The mutable pieces of the lock table. Only ordered collections are used (tree sets, insertion-ordered maps, lists),
 * so iteration order, and with it every reply, event and snapshot byte, is the same on every replica.
 */
final class LockEntities {

    private LockEntities() {}

    /** A live session; {@code held} and {@code waiting} mirror the lock table (checked by {@link LockTable#verify}). */
    static final class SessionState {
        final long id;
        /** The client id of the OpenSession that created it (empty if anonymous): decides an idempotent re-open. */
        final String opener;

        final long ttlMs;
        long deadlineMs;
        final TreeSet<String> held = new TreeSet<>();
        final TreeSet<String> waiting = new TreeSet<>();

        SessionState(long id, String opener, long ttlMs, long deadlineMs) {
            this.id = id;
            this.opener = opener;
            this.ttlMs = ttlMs;
            this.deadlineMs = deadlineMs;
        }

        int lockCount() {
            return held.size() + waiting.size();
        }
    }

    /** A lock with at least one holder, waiter or running lock-delay; otherwise it is removed. */
    static final class LockState {
        final String name;
        /** Holds by session id, in grant order (an upgrade replaces its hold in place). */
        final LinkedHashMap<Long, Hold> holders = new LinkedHashMap<>();
        /** Queued requests, next in line first; upgrades sit at the front. */
        final List<Waiter> queue = new ArrayList<>();
        /** Log time until which nothing may be granted (a lost holder's lock-delay); 0 if none. */
        long delayUntilMs;
        /** Length of the lock-delay that set {@link #delayUntilMs}; 0 if none. */
        long delayMs;

        LockState(String name) {
            this.name = name;
        }

        boolean hasExclusiveHolder() {
            for (Hold hold : holders.values()) {
                if (hold.mode() == LockMode.EXCLUSIVE) {
                    return true;
                }
            }
            return false;
        }

        int indexOf(long session) {
            for (int i = 0; i < queue.size(); i++) {
                if (queue.get(i).session() == session) {
                    return i;
                }
            }
            return -1;
        }

        boolean isEmpty() {
            return holders.isEmpty() && queue.isEmpty() && delayUntilMs == 0;
        }
    }

    /**
     * One hold.
     *
     * @param token the fencing token: log index of the granting entry
     * @param lockDelayMs how long the lock stays ungrantable if this hold is lost without a release
     */
    record Hold(long session, LockMode mode, long token, long sinceMs, long lockDelayMs) {}

    /**
     * One queued request.
     *
     * @param order log index of the entry that queued it: unique, as an entry queues at most one request
     * @param upgrade a shared holder asking for exclusive
     */
    record Waiter(
            String name,
            long session,
            LockMode mode,
            boolean upgrade,
            long sinceMs,
            long deadlineMs,
            long lockDelayMs,
            long order) {}

    /** A session deadline in the expiry schedule. */
    record SessionDue(long atMs, long session) implements Comparable<SessionDue> {
        @Override
        public int compareTo(SessionDue other) {
            int byTime = Long.compare(atMs, other.atMs);
            return byTime != 0 ? byTime : Long.compare(session, other.session);
        }
    }

    /** The end of a lock's lock-delay in the schedule. */
    record DelayDue(long atMs, String name) implements Comparable<DelayDue> {
        @Override
        public int compareTo(DelayDue other) {
            int byTime = Long.compare(atMs, other.atMs);
            return byTime != 0 ? byTime : name.compareTo(other.name);
        }
    }
}
