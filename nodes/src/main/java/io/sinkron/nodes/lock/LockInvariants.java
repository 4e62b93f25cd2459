package io.sinkron.nodes.lock;

import io.sinkron.nodes.lock.LockEntities.DelayDue;
import io.sinkron.nodes.lock.LockEntities.Hold;
import io.sinkron.nodes.lock.LockEntities.LockState;
import io.sinkron.nodes.lock.LockEntities.SessionDue;
import io.sinkron.nodes.lock.LockEntities.SessionState;
import io.sinkron.nodes.lock.LockEntities.Waiter;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The invariants of a {@link LockTable} between entries, checked in full after every restore and by the tests after
 * every step. A violation is our bug: it throws at once (STYLE.md rule 9).
 */
final class LockInvariants {

    private LockInvariants() {}

    static void verify(LockTable table) {
        check(table.dirty.isEmpty(), "locks left to promote: " + table.dirty);
        Map<Long, Set<String>> held = new java.util.TreeMap<>();
        Map<Long, Set<String>> waiting = new java.util.TreeMap<>();
        TreeSet<DelayDue> delays = new TreeSet<>();
        int waiters = 0;
        for (LockState lock : table.locks.values()) {
            check(LockCommand.NAME.matcher(lock.name).matches(), "bad lock name " + lock.name);
            check(!lock.isEmpty(), "empty lock kept: " + lock.name);
            verifyHolders(table, lock, held);
            verifyQueue(table, lock, waiting);
            waiters += lock.queue.size();
            check(
                    lock.delayUntilMs == 0 || lock.delayUntilMs > table.clockMs,
                    "lock-delay of " + lock.name + " ended unnoticed");
            check(
                    (lock.delayUntilMs == 0) == (lock.delayMs == 0)
                            && lock.delayMs >= 0
                            && lock.delayMs <= LockLimits.LOCK_DELAY_MS_MAX,
                    "lock-delay length of " + lock.name);
            if (lock.delayUntilMs != 0) {
                delays.add(new DelayDue(lock.delayUntilMs, lock.name));
            }
            verifyStable(lock);
        }
        TreeSet<SessionDue> sessionsDue = new TreeSet<>();
        for (SessionState session : table.sessions.values()) {
            check(session.deadlineMs > table.clockMs, "session " + session.id + " outlived its deadline");
            check(session.id > 0, "session id " + session.id + " not positive");
            check(LockCommand.CLIENT_ID.matcher(session.opener).matches(), "bad opener of session " + session.id);
            check(session.ttlMs >= LockLimits.TTL_MS_MIN && session.ttlMs <= LockLimits.TTL_MS_MAX, "bad ttl");
            check(session.held.equals(held.getOrDefault(session.id, Set.of())), "held set of " + session.id);
            check(session.waiting.equals(waiting.getOrDefault(session.id, Set.of())), "waiting set of " + session.id);
            sessionsDue.add(new SessionDue(session.deadlineMs, session.id));
        }
        check(table.sessionsDue.equals(sessionsDue), "session schedule disagrees with the sessions");
        check(table.delaysDue.equals(delays), "lock-delay schedule disagrees with the locks");
        check(table.waitsDue.size() == waiters, "wait schedule disagrees with the queues");
    }

    private static void verifyHolders(LockTable table, LockState lock, Map<Long, Set<String>> held) {
        int exclusive = 0;
        for (Map.Entry<Long, Hold> entry : lock.holders.entrySet()) {
            Hold hold = entry.getValue();
            check(entry.getKey() == hold.session(), "hold filed under another session");
            check(table.sessions.containsKey(hold.session()), "holder " + hold.session() + " is not a live session");
            check(hold.token() >= 1 && hold.token() <= table.index, "token from the future: " + hold);
            exclusive += hold.mode() == LockMode.EXCLUSIVE ? 1 : 0;
            held.computeIfAbsent(hold.session(), k -> new TreeSet<>()).add(lock.name);
        }
        check(exclusive == 0 || lock.holders.size() == 1, "exclusive hold shared: " + lock.name + lock.holders);
    }

    private static void verifyQueue(LockTable table, LockState lock, Map<Long, Set<String>> waiting) {
        Set<Long> seen = new HashSet<>();
        boolean plainSeen = false;
        for (Waiter waiter : lock.queue) {
            check(seen.add(waiter.session()), "session queued twice for " + lock.name);
            check(waiter.name().equals(lock.name), "waiter filed under another lock");
            check(table.sessions.containsKey(waiter.session()), "waiter " + waiter.session() + " is not live");
            check(waiter.deadlineMs() > table.clockMs, "wait of " + waiter.session() + " outlived its deadline");
            check(table.waitsDue.contains(waiter), "wait not scheduled: " + waiter);
            Hold hold = lock.holders.get(waiter.session());
            if (waiter.upgrade()) {
                check(!plainSeen, "upgrade queued behind a plain request on " + lock.name);
                check(hold != null && hold.mode() == LockMode.SHARED, "upgrade without a shared hold");
                check(waiter.mode() == LockMode.EXCLUSIVE, "upgrade to shared");
            } else {
                plainSeen = true;
                check(hold == null, "a holder queued without upgrading");
            }
            waiting.computeIfAbsent(waiter.session(), k -> new TreeSet<>()).add(lock.name);
        }
    }

    /** No lost wake-up: unless a lock-delay runs, the head of the queue is not grantable. */
    private static void verifyStable(LockState lock) {
        if (lock.delayUntilMs != 0 || lock.queue.isEmpty()) {
            return;
        }
        Waiter head = lock.queue.get(0);
        boolean grantable = head.upgrade()
                ? lock.holders.size() == 1
                : head.mode() == LockMode.EXCLUSIVE ? lock.holders.isEmpty() : !lock.hasExclusiveHolder();
        check(!grantable, "lost wake-up: the head of " + lock.name + " could be granted");
    }

    private static void check(boolean condition, String violation) {
        if (!condition) {
            throw new IllegalStateException("lock table invariant broken: " + violation);
        }
    }
}
