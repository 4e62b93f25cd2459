package io.sinkron.nodes.lock;

import java.util.List;
import java.util.Objects;

/**
 * A lock as of the applied index: its holders in grant order and its waiters in queue order.
 *
 * @param name the lock's name
 * @param holders current holds, in the order they were granted
 * @param waiters queued requests, next in line first
 * @param delayUntilMs log time until which a lost holder's lock-delay keeps the lock ungrantable; 0 if none
 */
public record LockView(String name, List<Holder> holders, List<Waiter> waiters, long delayUntilMs) {

    public LockView {
        Objects.requireNonNull(name, "name");
        holders = List.copyOf(holders);
        waiters = List.copyOf(waiters);
    }

    /** One hold: {@code token} is its fencing token, {@code sinceMs} the log time of the grant. */
    public record Holder(long session, LockMode mode, long token, long sinceMs) {}

    /**
     * One queued request. {@code upgrade}: a shared holder asking for exclusive. {@code deadlineMs}: when the wait
     * times out.
     */
    public record Waiter(long session, LockMode mode, boolean upgrade, long sinceMs, long deadlineMs) {}
}
