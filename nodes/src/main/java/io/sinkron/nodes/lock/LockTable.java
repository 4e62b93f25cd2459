package io.sinkron.nodes.lock;

import io.sinkron.nodes.lock.LockEntities.DelayDue;
import io.sinkron.nodes.lock.LockEntities.Hold;
import io.sinkron.nodes.lock.LockEntities.LockState;
import io.sinkron.nodes.lock.LockEntities.SessionDue;
import io.sinkron.nodes.lock.LockEntities.SessionState;
import io.sinkron.nodes.lock.LockEntities.Waiter;
import io.sinkron.nodes.lock.LockReply.Error;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Sessions, locks and their queues, and the schedules of what falls due; the rules of docs/locks.md. Applying one
 * entry is {@link #begin} (log time passes: sessions, waits and lock-delays fall due), at most one command method,
 * then {@link #finish} (locks that lost a holder or waiter grant to their queue). Grants are made at most once per lock
 * per entry (the command's own lock at the command, every other lock in {@link #finish}), so a fencing token, the
 * entry's index, is never handed to two conflicting holders.
 *
 * <p>Deterministic and single-threaded: the Raft apply thread owns it.
 */
final class LockTable {

    private static final Comparator<Waiter> BY_WAIT_DEADLINE =
            Comparator.comparingLong(Waiter::deadlineMs).thenComparingLong(Waiter::order);

    private final LockLimits limits;
    private final Consumer<LockEvent> events;
    final TreeMap<Long, SessionState> sessions = new TreeMap<>();
    final TreeMap<String, LockState> locks = new TreeMap<>();
    // The schedules of what falls due, derived from the maps (rebuilt by reindex()).
    final TreeSet<SessionDue> sessionsDue = new TreeSet<>();
    final TreeSet<Waiter> waitsDue = new TreeSet<>(BY_WAIT_DEADLINE);
    final TreeSet<DelayDue> delaysDue = new TreeSet<>();
    /** Locks that lost a holder or waiter, or whose lock-delay ended, during this entry: they may grant. */
    final TreeSet<String> dirty = new TreeSet<>();

    private final WaitForGraph graph;

    long clockMs;
    /** Log index of the entry being (or last) applied. */
    long index;
    // Totals since the shard began; replicated state (in the snapshot), exported as metrics.
    long grantsTotal;
    long expiriesTotal;
    long timeoutsTotal;
    long deadlocksTotal;
    long searchesAbandonedTotal;

    LockTable(LockLimits limits, Consumer<LockEvent> events) {
        this.limits = limits;
        this.events = events;
        this.graph = new WaitForGraph(sessions, locks);
    }

    // ---- restore ----

    /**
     * Derives the sessions' held and waiting sets and the schedules from the sessions and locks (after a restore),
     * then checks every invariant.
     */
    void reindex() {
        sessionsDue.clear();
        waitsDue.clear();
        delaysDue.clear();
        for (SessionState session : sessions.values()) {
            session.held.clear();
            session.waiting.clear();
            sessionsDue.add(new SessionDue(session.deadlineMs, session.id));
        }
        for (LockState lock : locks.values()) {
            for (Hold hold : lock.holders.values()) {
                sessionOf(hold.session(), lock).held.add(lock.name);
            }
            for (Waiter waiter : lock.queue) {
                sessionOf(waiter.session(), lock).waiting.add(lock.name);
                waitsDue.add(waiter);
            }
            if (lock.delayUntilMs != 0) {
                delaysDue.add(new DelayDue(lock.delayUntilMs, lock.name));
            }
        }
        LockInvariants.verify(this);
    }

    private SessionState sessionOf(long id, LockState lock) {
        SessionState session = sessions.get(id);
        if (session == null) {
            throw new IllegalStateException("lock " + lock.name + " refers to unknown session " + id);
        }
        return session;
    }

    // ---- entry life cycle ----

    /** Starts applying entry {@code entryIndex}: the clock moves to {@code nowMs} unless it is behind. */
    void begin(long entryIndex, long nowMs, boolean leaderChanged) {
        if (entryIndex <= index || !dirty.isEmpty()) {
            throw new IllegalStateException("entry " + entryIndex + " begun after " + index + " or unfinished");
        }
        index = entryIndex;
        clockMs = Math.max(clockMs, nowMs);
        if (leaderChanged) {
            extendSessions();
        }
        expireDue();
    }

    /** Ends the entry: every lock that lost a holder or waiter grants what it can, in name order. */
    void finish() {
        while (!dirty.isEmpty()) {
            LockState lock = locks.get(dirty.pollFirst());
            if (lock != null) {
                promote(lock);
            }
        }
    }

    /**
     * A new leader's clock may be ahead of the old one's and the keep-alives sent to the old leader may be lost, so
     * every live session gets at least a full ttl from now (etcd renews every lease on leader change). For the same
     * reason a running lock-delay gets its full length again: a clock jump must not end the protection early.
     */
    private void extendSessions() {
        for (SessionState session : sessions.values()) {
            setDeadline(session, Math.max(session.deadlineMs, clockMs + session.ttlMs));
        }
        for (DelayDue due : List.copyOf(delaysDue)) {
            LockState lock = locks.get(due.name());
            setDelay(lock, Math.max(lock.delayUntilMs, clockMs + lock.delayMs), lock.delayMs);
        }
    }

    private void expireDue() {
        while (!sessionsDue.isEmpty() && sessionsDue.first().atMs() <= clockMs) {
            expire(sessions.get(sessionsDue.first().session()));
        }
        while (!waitsDue.isEmpty() && waitsDue.first().deadlineMs() <= clockMs) {
            Waiter waiter = waitsDue.first();
            removeWaiter(locks.get(waiter.name()), waiter);
            timeoutsTotal++;
            events.accept(new LockEvent.Timeout(index, waiter.session(), waiter.name()));
        }
        while (!delaysDue.isEmpty() && delaysDue.first().atMs() <= clockMs) {
            DelayDue due = delaysDue.first();
            setDelay(locks.get(due.name()), 0, 0);
            dirty.add(due.name());
        }
    }

    private void expire(SessionState session) {
        expiriesTotal++;
        events.accept(new LockEvent.Expired(index, session.id));
        for (String name : List.copyOf(session.held)) {
            LockState lock = locks.get(name);
            Hold hold = removeHold(lock, session);
            armLockDelay(lock, hold.lockDelayMs());
            events.accept(new LockEvent.Lost(index, session.id, name, hold.token()));
        }
        cancelWaits(session);
        sessionsDue.remove(new SessionDue(session.deadlineMs, session.id));
        sessions.remove(session.id);
    }

    // ---- sessions ----

    /**
     * Opens session {@code id} for {@code clientId}. A live session with that id answers the open idempotently (its
     * current deadline, unchanged) if the same client opened it with the same ttl, else {@code SESSION_EXISTS}. Expired
     * sessions were removed when this entry began, so the id of one that is due now may be reused.
     */
    LockReply openSession(String clientId, long id, long ttlMs) {
        if (ttlMs < LockLimits.TTL_MS_MIN || ttlMs > LockLimits.TTL_MS_MAX) {
            return invalid("ttlMs must be in [" + LockLimits.TTL_MS_MIN + ", " + LockLimits.TTL_MS_MAX + "]");
        }
        if (id <= 0) {
            return invalid("session must be positive");
        }
        SessionState existing = sessions.get(id);
        if (existing != null) {
            if (existing.opener.equals(clientId) && existing.ttlMs == ttlMs) {
                return new LockReply.SessionOpened(id, ttlMs, existing.deadlineMs);
            }
            return new Error(LockError.SESSION_EXISTS, "session " + id + " is open for another client or ttl");
        }
        if (sessions.size() >= limits.sessionsMax()) {
            return new Error(LockError.SESSIONS_FULL, limits.sessionsMax() + " sessions are open");
        }
        SessionState session = new SessionState(id, clientId, ttlMs, clockMs + ttlMs);
        sessions.put(session.id, session);
        sessionsDue.add(new SessionDue(session.deadlineMs, session.id));
        return new LockReply.SessionOpened(session.id, ttlMs, session.deadlineMs);
    }

    LockReply keepAlive(long id) {
        SessionState session = sessions.get(id);
        if (session == null) {
            return sessionNotFound(id);
        }
        setDeadline(session, Math.max(session.deadlineMs, clockMs + session.ttlMs));
        return new LockReply.SessionKept(id, session.ttlMs, session.deadlineMs);
    }

    LockReply closeSession(long id) {
        SessionState session = sessions.get(id);
        if (session == null) {
            return sessionNotFound(id);
        }
        int released = 0;
        for (String name : List.copyOf(session.held)) {
            Hold hold = removeHold(locks.get(name), session);
            events.accept(new LockEvent.Released(index, id, name, hold.token()));
            released++;
        }
        int cancelled = cancelWaits(session);
        sessionsDue.remove(new SessionDue(session.deadlineMs, id));
        sessions.remove(id);
        return new LockReply.SessionClosed(id, released, cancelled);
    }

    private void setDeadline(SessionState session, long deadlineMs) {
        sessionsDue.remove(new SessionDue(session.deadlineMs, session.id));
        session.deadlineMs = deadlineMs;
        sessionsDue.add(new SessionDue(deadlineMs, session.id));
    }

    private int cancelWaits(SessionState session) {
        int cancelled = 0;
        for (String name : List.copyOf(session.waiting)) {
            LockState lock = locks.get(name);
            removeWaiter(lock, lock.queue.get(lock.indexOf(session.id)));
            events.accept(new LockEvent.Cancelled(index, session.id, name));
            cancelled++;
        }
        return cancelled;
    }

    // ---- locks ----

    LockReply acquire(LockCommand.Acquire command) {
        LockReply invalid = checkAcquire(command);
        if (invalid != null) {
            return invalid;
        }
        SessionState session = sessions.get(command.session());
        if (session == null) {
            return sessionNotFound(command.session());
        }
        String name = command.name();
        if (dirty.contains(name)) {
            promote(locks.get(name)); // grants caused by this entry's removals come first (FIFO)
        }
        LockState lock = locks.get(name);
        Hold hold = lock == null ? null : lock.holders.get(session.id);
        int queued = lock == null ? -1 : lock.indexOf(session.id);
        if (hold != null) {
            if (hold.mode() == LockMode.EXCLUSIVE || command.mode() == LockMode.SHARED) {
                return new LockReply.Granted(hold.token(), hold.mode()); // idempotent re-acquire
            }
            return queued >= 0 ? new LockReply.Waiting(queued + 1, index) : upgrade(session, lock, command);
        }
        if (queued >= 0) {
            return lock.queue.get(queued).mode() == command.mode()
                    ? new LockReply.Waiting(queued + 1, index)
                    : new Error(LockError.ALREADY_WAITING, "the session already waits for this lock in the other mode");
        }
        return request(session, lock, command);
    }

    /**
     * The answer to an acquire applied again under its idempotency key whose first answer was {@code first} (a wait):
     * still waiting, or holding the lock since (its grant, as a re-acquire gets it), or, when the wait ended otherwise
     * (it ran out, was cancelled or broken as a deadlock), refused as a try-lock on a busy lock is: the caller would
     * otherwise wait for an ending that has already happened. Changes nothing.
     */
    LockReply retriedWait(LockCommand.Acquire command, LockReply.Waiting first) {
        if (!sessions.containsKey(command.session())) {
            return sessionNotFound(command.session());
        }
        LockState lock = locks.get(command.name());
        if (lock != null) {
            int queued = lock.indexOf(command.session());
            if (queued >= 0) {
                return new LockReply.Waiting(queued + 1, first.index());
            }
            Hold hold = lock.holders.get(command.session());
            if (hold != null && (hold.mode() == LockMode.EXCLUSIVE || command.mode() == LockMode.SHARED)) {
                return new LockReply.Granted(hold.token(), hold.mode());
            }
        }
        return new LockReply.Refused(LockReply.Refused.Reason.BUSY);
    }

    private static LockReply checkAcquire(LockCommand.Acquire command) {
        if (!LockCommand.isName(command.name())) {
            return invalidName();
        }
        if (command.waitMs() < 0 || command.waitMs() > LockLimits.WAIT_MS_MAX) {
            return invalid("waitMs must be in [0, " + LockLimits.WAIT_MS_MAX + "]");
        }
        if (command.lockDelayMs() < 0 || command.lockDelayMs() > LockLimits.LOCK_DELAY_MS_MAX) {
            return invalid("lockDelayMs must be in [0, " + LockLimits.LOCK_DELAY_MS_MAX + "]");
        }
        return null;
    }

    /** A new request of a session that neither holds nor waits for the lock. */
    private LockReply request(SessionState session, LockState existing, LockCommand.Acquire command) {
        if (session.lockCount() >= limits.locksPerSessionMax()) {
            return new Error(
                    LockError.SESSION_LOCKS_FULL,
                    "the session holds or waits for " + limits.locksPerSessionMax() + " locks");
        }
        LockMode mode = command.mode();
        if (existing == null) {
            if (locks.size() >= limits.locksMax()) {
                return new Error(LockError.LOCKS_FULL, limits.locksMax() + " locks exist");
            }
            LockState lock = new LockState(command.name());
            locks.put(lock.name, lock);
            return grant(lock, session, mode, command.lockDelayMs());
        }
        boolean delayed = existing.delayUntilMs > clockMs;
        boolean free = mode == LockMode.EXCLUSIVE ? existing.holders.isEmpty() : !existing.hasExclusiveHolder();
        if (!delayed && free && existing.queue.isEmpty()) {
            return grant(existing, session, mode, command.lockDelayMs());
        }
        return enqueue(session, existing, command, false, delayed);
    }

    /** A shared holder asks for exclusive: granted in place when it is the only holder, else it waits in front. */
    private LockReply upgrade(SessionState session, LockState lock, LockCommand.Acquire command) {
        boolean delayed = lock.delayUntilMs > clockMs;
        if (!delayed && lock.holders.size() == 1) {
            return grant(lock, session, LockMode.EXCLUSIVE, command.lockDelayMs());
        }
        return enqueue(session, lock, command, true, delayed);
    }

    private LockReply enqueue(
            SessionState session, LockState lock, LockCommand.Acquire command, boolean upgrade, boolean delayed) {
        if (command.waitMs() == 0) {
            return new LockReply.Refused(delayed ? LockReply.Refused.Reason.LOCK_DELAY : LockReply.Refused.Reason.BUSY);
        }
        if (lock.queue.size() >= limits.waitersPerLockMax()) {
            return new Error(LockError.WAITERS_FULL, limits.waitersPerLockMax() + " requests wait for this lock");
        }
        // Upgrades go in front of every plain request, behind an earlier upgrade (only possible if a deadlock search
        // gave up: two upgraders of one lock always form a cycle).
        int position = upgrade ? leadingUpgrades(lock) : lock.queue.size();
        LockMode mode = upgrade ? LockMode.EXCLUSIVE : command.mode();
        WaitForGraph.Search search =
                graph.search(session.id, lock, mode, position, limits.deadlockSearchEdgesMax(), limits.cycleStepsMax());
        if (search.gaveUp()) {
            searchesAbandonedTotal++;
        }
        if (!search.cycle().isEmpty()) {
            deadlocksTotal++;
            events.accept(new LockEvent.Deadlock(index, session.id, lock.name, search.cycle()));
            return new LockReply.Deadlock(search.cycle(), search.truncated());
        }
        Waiter waiter = new Waiter(
                lock.name,
                session.id,
                mode,
                upgrade,
                clockMs,
                clockMs + command.waitMs(),
                command.lockDelayMs(),
                index);
        lock.queue.add(position, waiter);
        session.waiting.add(lock.name);
        waitsDue.add(waiter);
        events.accept(new LockEvent.Waiting(index, session.id, lock.name, mode, position + 1));
        return new LockReply.Waiting(position + 1, index);
    }

    private static int leadingUpgrades(LockState lock) {
        int count = 0;
        while (count < lock.queue.size() && lock.queue.get(count).upgrade()) {
            count++;
        }
        return count;
    }

    LockReply release(long id, String name, long token) {
        if (!LockCommand.isName(name)) {
            return invalidName();
        }
        SessionState session = sessions.get(id);
        if (session == null) {
            return sessionNotFound(id);
        }
        LockState lock = locks.get(name);
        Hold hold = lock == null ? null : lock.holders.get(id);
        if (hold == null) {
            return new Error(LockError.NOT_HOLDER, "session " + id + " does not hold the lock");
        }
        if (hold.token() != token) {
            return new Error(LockError.WRONG_TOKEN, "the hold's token is " + hold.token() + ", not " + token);
        }
        removeHold(lock, session);
        events.accept(new LockEvent.Released(index, id, name, token));
        cancelUpgrade(lock, session);
        return new LockReply.Released(token);
    }

    LockReply cancelWait(long id, String name) {
        if (!LockCommand.isName(name)) {
            return invalidName();
        }
        if (!sessions.containsKey(id)) {
            return sessionNotFound(id);
        }
        if (!withdraw(id, name)) {
            return notWaiting(id);
        }
        events.accept(new LockEvent.Cancelled(index, id, name));
        return new LockReply.WaitCancelled();
    }

    /**
     * A wait ended by the node-side detector of deadlocks that span shards: withdrawn as {@link #cancelWait} does, but
     * reported as a deadlock with the detector's cycle. A session that is gone (closed, expired, never opened) is not
     * waiting either: the wait ended before the abort arrived.
     */
    LockReply abortWait(long id, String name, List<CycleStep> cycle) {
        if (!LockCommand.isName(name)) {
            return invalidName();
        }
        if (cycle.size() > limits.cycleStepsMax()) {
            return invalid("cycle has more than " + limits.cycleStepsMax() + " steps");
        }
        if (!sessions.containsKey(id) || !withdraw(id, name)) {
            return notWaiting(id);
        }
        deadlocksTotal++;
        events.accept(new LockEvent.Deadlock(index, id, name, cycle));
        return new LockReply.Deadlock(cycle, false);
    }

    /**
     * Removes live session {@code id}'s queued request for {@code name}, if there is one; the lock grants to the
     * requests behind it in {@link #finish}.
     */
    private boolean withdraw(long id, String name) {
        LockState lock = locks.get(name);
        int queued = lock == null ? -1 : lock.indexOf(id);
        if (queued < 0) {
            return false;
        }
        removeWaiter(lock, lock.queue.get(queued));
        return true;
    }

    private static Error notWaiting(long id) {
        return new Error(LockError.NOT_WAITING, "session " + id + " does not wait for the lock");
    }

    /** The wait-for graph's edges, at most {@code max} (see {@link WaitForGraph#edges}). */
    List<WaitEdge> waitForEdges(int max) {
        return graph.edges(max);
    }

    LockReply forceRelease(String name) {
        if (!LockCommand.isName(name)) {
            return invalidName();
        }
        LockState lock = locks.get(name);
        if (lock == null) {
            return new LockReply.ForceReleased(0);
        }
        List<Long> holders = List.copyOf(lock.holders.keySet());
        for (long id : holders) {
            SessionState session = sessions.get(id);
            Hold hold = removeHold(lock, session);
            // The holder does not know yet and may still act: its lock-delay applies as for an expiry.
            armLockDelay(lock, hold.lockDelayMs());
            events.accept(new LockEvent.Lost(index, id, name, hold.token()));
            cancelUpgrade(lock, session);
        }
        return new LockReply.ForceReleased(holders.size());
    }

    // ---- grants and removals ----

    private LockReply.Granted grant(LockState lock, SessionState session, LockMode mode, long lockDelayMs) {
        Hold previous = lock.holders.get(session.id);
        boolean conflict = mode == LockMode.EXCLUSIVE
                ? lock.holders.size() != (previous == null ? 0 : 1)
                : lock.hasExclusiveHolder();
        for (Hold hold : lock.holders.values()) {
            conflict |= hold.token() > index;
        }
        if (conflict || lock.delayUntilMs > clockMs) {
            throw new IllegalStateException("grant of " + lock.name + " in " + mode + " to " + session.id
                    + " conflicts with " + lock.holders + " (delay " + lock.delayUntilMs + ")");
        }
        lock.holders.put(session.id, new Hold(session.id, mode, index, clockMs, lockDelayMs));
        session.held.add(lock.name);
        grantsTotal++;
        events.accept(new LockEvent.Granted(index, session.id, lock.name, mode, index));
        return new LockReply.Granted(index, mode);
    }

    /** Grants the head of the queue while it is compatible (FIFO: a blocked head blocks everyone behind it). */
    private void promote(LockState lock) {
        while (lock.delayUntilMs <= clockMs && !lock.queue.isEmpty()) {
            Waiter head = lock.queue.get(0);
            boolean grantable = head.upgrade()
                    ? lock.holders.size() == 1 && lock.holders.containsKey(head.session())
                    : head.mode() == LockMode.EXCLUSIVE ? lock.holders.isEmpty() : !lock.hasExclusiveHolder();
            if (!grantable) {
                break;
            }
            SessionState session = sessions.get(head.session());
            removeWaiter(lock, head);
            grant(lock, session, head.mode(), head.lockDelayMs());
        }
        dirty.remove(lock.name);
        if (lock.isEmpty()) {
            locks.remove(lock.name);
        }
    }

    private Hold removeHold(LockState lock, SessionState session) {
        Hold hold = lock.holders.remove(session.id);
        if (hold == null || !session.held.remove(lock.name)) {
            throw new IllegalStateException("session " + session.id + " does not hold " + lock.name);
        }
        dirty.add(lock.name);
        return hold;
    }

    private void removeWaiter(LockState lock, Waiter waiter) {
        if (!lock.queue.remove(waiter)
                || !waitsDue.remove(waiter)
                || !sessions.get(waiter.session()).waiting.remove(lock.name)) {
            throw new IllegalStateException("session " + waiter.session() + " is not queued for " + lock.name);
        }
        dirty.add(lock.name);
    }

    /** A holder that is no longer one cannot upgrade: its pending upgrade goes. */
    private void cancelUpgrade(LockState lock, SessionState session) {
        int queued = lock.indexOf(session.id);
        if (queued >= 0) {
            removeWaiter(lock, lock.queue.get(queued));
            events.accept(new LockEvent.Cancelled(index, session.id, lock.name));
        }
    }

    private void armLockDelay(LockState lock, long lockDelayMs) {
        long untilMs = clockMs + lockDelayMs;
        if (lockDelayMs > 0 && untilMs > lock.delayUntilMs) {
            setDelay(lock, untilMs, lockDelayMs);
        }
    }

    private void setDelay(LockState lock, long untilMs, long lengthMs) {
        delaysDue.remove(new DelayDue(lock.delayUntilMs, lock.name));
        lock.delayUntilMs = untilMs;
        lock.delayMs = lengthMs;
        if (untilMs != 0) {
            delaysDue.add(new DelayDue(untilMs, lock.name));
        }
    }

    private static Error invalid(String detail) {
        return new Error(LockError.INVALID_ARGUMENT, detail);
    }

    private static Error invalidName() {
        return invalid("name must be 1-256 of [A-Za-z0-9._:/-]");
    }

    private static Error sessionNotFound(long id) {
        return new Error(LockError.SESSION_NOT_FOUND, "no live session " + id);
    }
}
