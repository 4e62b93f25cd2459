package io.sinkron.nodes.lock;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.List;
import java.util.Set;

/**
 * Drives a {@link LockStateMachine} the way Raft does: every command is encoded, wrapped in the next log entry and
 * applied; replies are decoded. Commands are anonymous (no at-most-once) unless a test builds them itself. The leader
 * clock {@link #now} starts at {@link #START_MS} and only moves when a test moves it. {@link #open} picks session ids
 * the way a node does, from a counter unrelated to log indexes (starting at {@link #FIRST_SESSION}).
 */
final class LockHarness {

    static final long START_MS = 1_000_000;
    static final long TTL_MS = 10_000;
    static final String ANONYMOUS = "";
    static final long FIRST_SESSION = 7_001;

    final LockStateMachine machine;
    private final LockLimits limits;
    long now = START_MS;
    private long index;
    private long nextSession = FIRST_SESSION;

    LockHarness() {
        this(LockLimits.DEFAULTS);
    }

    LockHarness(LockLimits limits) {
        this.limits = limits;
        this.machine = new LockStateMachine(limits);
    }

    /** Index the next applied entry gets. */
    long nextIndex() {
        return index + 1;
    }

    /** Index of the last applied entry. */
    long lastIndex() {
        return index;
    }

    LockReply apply(LockCommand command) {
        return LockReply.decode(applyBytes(command.encode()));
    }

    byte[] applyBytes(byte[] data) {
        return machine.apply(new LogEntry(1, ++index, new EntryPayload.Command(data)));
    }

    void noop() {
        machine.apply(new LogEntry(1, ++index, new EntryPayload.Noop()));
    }

    long open() {
        return open(TTL_MS);
    }

    /** An id no session of this harness has had yet. */
    long newSessionId() {
        return nextSession++;
    }

    long open(long ttlMs) {
        return open(newSessionId(), ttlMs);
    }

    long open(long session, long ttlMs) {
        LockReply reply = apply(new LockCommand.OpenSession(ANONYMOUS, 0, now, session, ttlMs));
        if (!(reply instanceof LockReply.SessionOpened opened)) {
            throw new AssertionError("session not opened: " + reply);
        }
        return opened.session();
    }

    LockReply keepAlive(long session) {
        return apply(new LockCommand.KeepAlive(ANONYMOUS, 0, now, session));
    }

    LockReply close(long session) {
        return apply(new LockCommand.CloseSession(ANONYMOUS, 0, now, session));
    }

    LockReply acquire(long session, String name, LockMode mode, long waitMs) {
        return acquire(session, name, mode, waitMs, 0);
    }

    LockReply acquire(long session, String name, LockMode mode, long waitMs, long lockDelayMs) {
        return apply(new LockCommand.Acquire(ANONYMOUS, 0, now, session, name, mode, waitMs, lockDelayMs));
    }

    /** Acquires and returns the token; fails unless granted. */
    long grant(long session, String name, LockMode mode) {
        LockReply reply = acquire(session, name, mode, 0);
        if (!(reply instanceof LockReply.Granted granted)) {
            throw new AssertionError("not granted: " + reply);
        }
        return granted.token();
    }

    LockReply release(long session, String name, long token) {
        return apply(new LockCommand.Release(ANONYMOUS, 0, now, session, name, token));
    }

    LockReply cancel(long session, String name) {
        return apply(new LockCommand.CancelWait(ANONYMOUS, 0, now, session, name));
    }

    LockReply abortWait(long session, String name, List<CycleStep> cycle) {
        return apply(new LockCommand.AbortWait(ANONYMOUS, 0, now, session, name, cycle));
    }

    LockReply forceRelease(String name) {
        return apply(new LockCommand.ForceRelease(ANONYMOUS, 0, now, name));
    }

    /** Moves the leader clock by {@code ms} and applies a Tick. */
    LockReply tick(long ms) {
        now += ms;
        return apply(new LockCommand.Tick(now));
    }

    LockReply leaderChanged(long nowMs) {
        now = nowMs;
        return apply(new LockCommand.LeaderChanged(nowMs));
    }

    List<LockEvent> events() {
        return machine.drainEvents();
    }

    LockView view(String name) {
        return machine.lock(name).orElseThrow(() -> new AssertionError("no lock " + name));
    }

    byte[] snapshot() {
        return machine.snapshot();
    }

    /** A fresh machine restored from this one's snapshot, at the same index. */
    LockHarness copy() {
        LockHarness copy = new LockHarness(limits);
        copy.machine.restore(snapshotOf(machine, index));
        copy.index = index;
        copy.now = now;
        copy.nextSession = nextSession;
        return copy;
    }

    static Snapshot snapshotOf(LockStateMachine machine, long index) {
        SnapshotMeta meta = index == 0
                ? SnapshotMeta.bootstrap(ClusterConfig.ofVoters(Set.of(1)))
                : new SnapshotMeta(index, 1, ClusterConfig.ofVoters(Set.of(1)));
        return new Snapshot(meta, machine.snapshot());
    }
}
