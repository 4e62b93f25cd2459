package io.sinkron.api.client;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the cluster knows about one lock at the moment it answered: who holds it, who waits for it, and whether a
 * lock-delay keeps it from being granted. Times are the serving leader's clock in epoch milliseconds.
 *
 * @param name the lock name
 * @param holders the sessions holding the lock; several only in {@link LockMode#SHARED} mode
 * @param waiters the queued requests, in grant order
 * @param delayUntilMs until when a lock-delay keeps the lock from being granted, if one runs
 */
public record LockInfo(String name, List<Holder> holders, List<Waiter> waiters, OptionalLong delayUntilMs) {

    public LockInfo {
        Objects.requireNonNull(name, "name");
        holders = List.copyOf(holders);
        waiters = List.copyOf(waiters);
        Objects.requireNonNull(delayUntilMs, "delayUntilMs");
    }

    /**
     * One hold of the lock.
     *
     * @param sessionId the holding session
     * @param mode how it holds the lock
     * @param token the fencing token of this hold
     * @param sinceMs when the hold was granted
     */
    public record Holder(String sessionId, LockMode mode, long token, long sinceMs) {

        public Holder {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /**
     * One queued request for the lock.
     *
     * @param sessionId the waiting session
     * @param mode the mode it asks for
     * @param upgrade whether it is a shared holder asking for exclusive
     * @param sinceMs when it started to wait
     * @param deadlineMs when its wait ends if it is not granted before
     */
    public record Waiter(String sessionId, LockMode mode, boolean upgrade, long sinceMs, long deadlineMs) {

        public Waiter {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(mode, "mode");
        }
    }
}
