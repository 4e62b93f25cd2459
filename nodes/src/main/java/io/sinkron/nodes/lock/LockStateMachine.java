package io.sinkron.nodes.lock;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.nodes.lock.LockCommand.AbortWait;
import io.sinkron.nodes.lock.LockCommand.Acquire;
import io.sinkron.nodes.lock.LockCommand.CancelWait;
import io.sinkron.nodes.lock.LockCommand.CloseSession;
import io.sinkron.nodes.lock.LockCommand.ForceRelease;
import io.sinkron.nodes.lock.LockCommand.FromClient;
import io.sinkron.nodes.lock.LockCommand.KeepAlive;
import io.sinkron.nodes.lock.LockCommand.LeaderChanged;
import io.sinkron.nodes.lock.LockCommand.OpenSession;
import io.sinkron.nodes.lock.LockCommand.Release;
import io.sinkron.nodes.lock.LockCommand.Tick;
import io.sinkron.nodes.lock.LockEntities.Hold;
import io.sinkron.nodes.lock.LockEntities.LockState;
import io.sinkron.nodes.lock.LockEntities.SessionState;
import io.sinkron.nodes.lock.LockEntities.Waiter;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The replicated lock service of one shard (DESIGN.md §4, docs/locks.md): sessions with TTLs, exclusive and shared
 * locks with FIFO queues, upgrades, fencing tokens, lock-delay, deadlock detection and at-most-once replies.
 *
 * <p><b>Determinism:</b> state, replies and events are a function of the applied entries only. Time is log time: the
 * largest {@code nowMs} any applied command carried; nothing reads a clock. <b>Threading:</b> not thread-safe; the
 * Raft apply thread owns it, and queries must run on that thread too (after ReadIndex for linearizable reads).
 * <b>Events:</b> each apply may record {@link LockEvent}s; the driver drains them after every apply with {@link
 * #drainEvents()}. Events are not replicated state: a restore discards undrained ones, and past {@link
 * #EVENTS_BUFFERED_MAX} undrained events the oldest are dropped and counted.
 */
public final class LockStateMachine implements StateMachine {

    /** Undrained events kept; beyond it the oldest are dropped (see {@link #eventsDropped()}). */
    public static final int EVENTS_BUFFERED_MAX = 262_144;

    /** Most locks one {@link #list} page returns. */
    public static final int LIST_LIMIT_MAX = 1_000;

    /** Most edges one {@link #waitForEdges} call returns. */
    public static final int WAIT_EDGES_MAX = 1_000_000;

    private final LockLimits limits;
    private final ArrayDeque<LockEvent> events = new ArrayDeque<>();
    private LockTable table;
    private ClientTable clients;
    private long appliedIndex;
    private long eventsDropped;

    /** A state machine with the product's limits. */
    public LockStateMachine() {
        this(LockLimits.DEFAULTS);
    }

    /** With other limits: every replica of a shard must use the same ones. */
    LockStateMachine(LockLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.table = new LockTable(limits, this::record);
        this.clients = new ClientTable(limits.clientsMax());
    }

    @Override
    public byte[] apply(LogEntry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new IllegalStateException("applying index " + entry.index() + " after " + appliedIndex);
        }
        appliedIndex = entry.index();
        return switch (entry.payload()) {
            case EntryPayload.Command command -> applyCommand(entry.index(), command.data());
            case EntryPayload.Noop noop -> new byte[0];
            case EntryPayload.Config config -> new byte[0];
        };
    }

    private byte[] applyCommand(long index, byte[] data) {
        LockCommand command;
        try {
            command = LockCommand.decode(data);
        } catch (IllegalArgumentException e) {
            // A well-behaved leader never proposes this; answering (not throwing) keeps every replica running.
            return new LockReply.Error(LockError.MALFORMED_COMMAND, "undecodable lock command").encode();
        }
        return execute(index, command).encode();
    }

    private LockReply execute(long index, LockCommand command) {
        String clientId = command instanceof FromClient client ? client.clientId() : "";
        if (!clientId.isEmpty()) {
            Optional<LockReply> seen = clients.seen(clientId, ((FromClient) command).sequence());
            if (seen.isPresent()) {
                // Raft dissertation §6.3: applied once, answered alike. A retried acquire that first waited is told
                // where that wait stands now (granted since, say), as its first answer's wait may have ended already.
                return seen.get() instanceof LockReply.Waiting waited && command instanceof Acquire acquire
                        ? table.retriedWait(acquire, waited)
                        : seen.get();
            }
        }
        table.begin(index, command.nowMs(), command instanceof LeaderChanged);
        LockReply reply =
                switch (command) {
                    case OpenSession c -> table.openSession(c.clientId(), c.session(), c.ttlMs());
                    case KeepAlive c -> table.keepAlive(c.session());
                    case CloseSession c -> table.closeSession(c.session());
                    case Acquire c -> table.acquire(c);
                    case Release c -> table.release(c.session(), c.name(), c.token());
                    case CancelWait c -> table.cancelWait(c.session(), c.name());
                    case AbortWait c -> table.abortWait(c.session(), c.name(), c.cycle());
                    case ForceRelease c -> table.forceRelease(c.name());
                    case Tick c -> new LockReply.Ok();
                    case LeaderChanged c -> new LockReply.Ok();
                };
        table.finish();
        if (!clientId.isEmpty()) {
            clients.remember(clientId, ((FromClient) command).sequence(), reply);
        }
        return reply;
    }

    private void record(LockEvent event) {
        if (events.size() >= EVENTS_BUFFERED_MAX) {
            events.pollFirst();
            eventsDropped++;
        }
        events.addLast(event);
    }

    /** The events recorded since the last drain, in order. */
    public List<LockEvent> drainEvents() {
        List<LockEvent> drained = List.copyOf(events);
        events.clear();
        return drained;
    }

    /** Events dropped because nobody drained them; a listener that sees this grow must resynchronize by querying. */
    public long eventsDropped() {
        return eventsDropped;
    }

    // ---- queries: pure reads of the applied state ----

    /** Log time: the largest {@code nowMs} applied. */
    public long clockMs() {
        return table.clockMs;
    }

    /** The lock's holders and waiters; empty if nobody holds, awaits or lock-delays it. */
    public Optional<LockView> lock(String name) {
        LockState lock = table.locks.get(Objects.requireNonNull(name, "name"));
        return lock == null ? Optional.empty() : Optional.of(view(lock));
    }

    /**
     * Locks whose name starts with {@code prefix}, sorted by name, after {@code cursor} (exclusive; empty for the
     * first page), at most {@code limit} (1 to {@link #LIST_LIMIT_MAX}).
     */
    public LockPage list(String prefix, String cursor, int limit) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > LIST_LIMIT_MAX) {
            throw new IllegalArgumentException("limit must be in [1, " + LIST_LIMIT_MAX + "]: " + limit);
        }
        var tail =
                cursor.compareTo(prefix) < 0 ? table.locks.tailMap(prefix, true) : table.locks.tailMap(cursor, false);
        List<LockView> page = new ArrayList<>();
        for (LockState lock : tail.values()) {
            if (!lock.name.startsWith(prefix)) {
                break;
            }
            if (page.size() == limit) {
                return new LockPage(page, page.getLast().name());
            }
            page.add(view(lock));
        }
        return new LockPage(page, "");
    }

    /** A live session; empty if it never existed, was closed or expired. */
    public Optional<SessionView> session(long id) {
        SessionState session = table.sessions.get(id);
        return session == null
                ? Optional.empty()
                : Optional.of(new SessionView(
                        id,
                        session.ttlMs,
                        session.deadlineMs,
                        List.copyOf(session.held),
                        List.copyOf(session.waiting)));
    }

    /**
     * The earliest log time at which something in the state falls due: a session deadline, a wait deadline or the end
     * of a lock-delay; {@link Long#MAX_VALUE} if nothing is pending. An entry whose {@code nowMs} is at least this
     * makes it happen, so the leader proposes a {@link Tick} when its clock reaches it (if no other entry did).
     */
    public long nextDeadlineMs() {
        long next = Long.MAX_VALUE;
        if (!table.sessionsDue.isEmpty()) {
            next = Math.min(next, table.sessionsDue.first().atMs());
        }
        if (!table.waitsDue.isEmpty()) {
            next = Math.min(next, table.waitsDue.first().deadlineMs());
        }
        if (!table.delaysDue.isEmpty()) {
            next = Math.min(next, table.delaysDue.first().atMs());
        }
        return next;
    }

    /**
     * The shard's wait-for graph, for the node-side detector of deadlocks that span shards: one edge per queued
     * request and session it waits for, under the rules of the local deadlock search (a holder in a conflicting mode, or
     * a request queued ahead in a conflicting mode). Ordered by lock name, then queue position, then blocker (holders
     * in grant order, then requests ahead in queue order); at most {@code max} (1 to {@link #WAIT_EDGES_MAX}) edges, the
     * first ones in that order, so a list of exactly {@code max} may be cut short.
     */
    public List<WaitEdge> waitForEdges(int max) {
        if (max < 1 || max > WAIT_EDGES_MAX) {
            throw new IllegalArgumentException("max must be in [1, " + WAIT_EDGES_MAX + "]: " + max);
        }
        return List.copyOf(table.waitForEdges(max));
    }

    /** Gauges and totals for metrics. */
    public LockStats stats() {
        int waiters = 0;
        for (LockState lock : table.locks.values()) {
            waiters += lock.queue.size();
        }
        return new LockStats(
                table.clockMs,
                table.sessions.size(),
                table.locks.size(),
                waiters,
                table.grantsTotal,
                table.expiriesTotal,
                table.timeoutsTotal,
                table.deadlocksTotal,
                table.searchesAbandonedTotal);
    }

    private static LockView view(LockState lock) {
        List<LockView.Holder> holders = new ArrayList<>();
        for (Map.Entry<Long, Hold> entry : lock.holders.entrySet()) {
            Hold hold = entry.getValue();
            holders.add(new LockView.Holder(hold.session(), hold.mode(), hold.token(), hold.sinceMs()));
        }
        List<LockView.Waiter> waiters = new ArrayList<>();
        for (Waiter waiter : lock.queue) {
            waiters.add(new LockView.Waiter(
                    waiter.session(), waiter.mode(), waiter.upgrade(), waiter.sinceMs(), waiter.deadlineMs()));
        }
        return new LockView(lock.name, holders, waiters, lock.delayUntilMs);
    }

    /** Checks every invariant of the state; for tests (an exception is a bug). */
    void verify() {
        LockInvariants.verify(table);
    }

    // ---- snapshots ----

    @Override
    public byte[] snapshot() {
        return LockSnapshotCodec.write(table, clients);
    }

    @Override
    public void restore(Snapshot snapshot) {
        LockTable restored = new LockTable(limits, this::record);
        ClientTable restoredClients = new ClientTable(limits.clientsMax());
        long index = snapshot.meta().lastIncludedIndex();
        restored.index = index;
        byte[] data = snapshot.data();
        if (data.length > 0) { // else the bootstrap snapshot: empty state
            try {
                LockSnapshotCodec.read(data, restored, restoredClients);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IllegalStateException("corrupt lock snapshot at index " + index, e);
            }
        }
        table = restored;
        clients = restoredClients;
        appliedIndex = index;
        events.clear();
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }
}
