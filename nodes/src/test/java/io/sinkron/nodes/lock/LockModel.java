package io.sinkron.nodes.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small reference model of the lock service for the property test. Sessions (log time, ttl, keep-alive,
 * LeaderChanged, expiry) are modelled from the commands alone; holds and queues are rebuilt from the events, checking
 * on the way that every event is legal (grants to the head of the queue, tokens that only grow, releases of real
 * holds). {@link #compare} then holds the machine's views against the model, and {@link #checkViews} checks the
 * safety properties directly on the views.
 */
final class LockModel {

    record Hold(LockMode mode, long token) {}

    private record Grant(long session, LockMode mode, long token) {}

    long clockMs;
    /** Live sessions: id -> {ttl, deadline}. */
    final TreeMap<Long, long[]> sessions = new TreeMap<>();
    /** The client that opened each live session. */
    final Map<Long, String> openers = new HashMap<>();

    private final Set<Long> expiredThisStep = new HashSet<>();
    private final Map<String, Map<Long, Hold>> holds = new HashMap<>();
    private final Map<String, List<Long>> queues = new HashMap<>();
    private final Map<String, List<Grant>> grantsEver = new HashMap<>();
    private final Map<String, Long> lastSequence = new HashMap<>();
    private LockCommand current;

    /** Whether the machine will treat the command as new (not a retry or stale): only then does time pass. */
    boolean isNew(LockCommand command) {
        if (command instanceof LockCommand.FromClient client
                && !client.clientId().isEmpty()) {
            Long last = lastSequence.get(client.clientId());
            return last == null || client.sequence() > last;
        }
        return true;
    }

    /** Log time passes as the entry is applied: the leader-change extension, then expiry. */
    void begin(LockCommand command) {
        expiredThisStep.clear();
        current = command;
        if (command instanceof LockCommand.FromClient client
                && !client.clientId().isEmpty()) {
            lastSequence.put(client.clientId(), client.sequence());
        }
        clockMs = Math.max(clockMs, command.nowMs());
        if (command instanceof LockCommand.LeaderChanged) {
            for (long[] session : sessions.values()) {
                session[1] = Math.max(session[1], clockMs + session[0]);
            }
        }
        sessions.entrySet().removeIf(e -> {
            if (e.getValue()[1] <= clockMs) {
                expiredThisStep.add(e.getKey());
                openers.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    /** Session effects of the reply, checked against the model's own arithmetic. */
    void reply(LockCommand command, LockReply reply) {
        switch (command) {
            case LockCommand.OpenSession c -> open(c, reply);
            case LockCommand.KeepAlive c -> {
                long[] session = sessions.get(c.session());
                if (session == null) {
                    assertThat(reply).isInstanceOf(LockReply.Error.class);
                } else {
                    session[1] = Math.max(session[1], clockMs + session[0]);
                    assertThat(reply).isEqualTo(new LockReply.SessionKept(c.session(), session[0], session[1]));
                }
            }
            case LockCommand.CloseSession c -> {
                boolean live = sessions.remove(c.session()) != null;
                openers.remove(c.session());
                assertThat(reply instanceof LockReply.SessionClosed).isEqualTo(live);
            }
            default -> {}
        }
    }

    /**
     * An open of a live id is idempotent for its opener and ttl (the deadline stays) and refused otherwise; a free
     * positive id with a valid ttl opens (unless sessions are full).
     */
    private void open(LockCommand.OpenSession c, LockReply reply) {
        boolean validTtl = c.ttlMs() >= LockLimits.TTL_MS_MIN && c.ttlMs() <= LockLimits.TTL_MS_MAX;
        long[] live = sessions.get(c.session());
        if (!validTtl || c.session() <= 0) {
            assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.INVALID_ARGUMENT));
        } else if (live != null) {
            if (openers.get(c.session()).equals(c.clientId()) && live[0] == c.ttlMs()) {
                assertThat(reply).isEqualTo(new LockReply.SessionOpened(c.session(), live[0], live[1]));
            } else {
                assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                        .isEqualTo(LockError.SESSION_EXISTS));
            }
        } else if (reply instanceof LockReply.SessionOpened opened) {
            assertThat(opened).isEqualTo(new LockReply.SessionOpened(c.session(), c.ttlMs(), clockMs + c.ttlMs()));
            sessions.put(c.session(), new long[] {c.ttlMs(), opened.deadlineMs()});
            openers.put(c.session(), c.clientId());
        } else {
            assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.SESSIONS_FULL));
        }
    }

    /** Replays the step's events on the model, checking each is legal. */
    void events(List<LockEvent> events, long index) {
        Set<Long> expired = new HashSet<>();
        for (LockEvent event : events) {
            assertThat(event.index()).isEqualTo(index);
            switch (event) {
                case LockEvent.Granted e -> granted(e);
                case LockEvent.Waiting e -> {
                    List<Long> queue = queues.computeIfAbsent(e.name(), k -> new ArrayList<>());
                    assertThat(queue).doesNotContain(e.session());
                    assertThat(e.position()).isBetween(1, queue.size() + 1);
                    queue.add(e.position() - 1, e.session());
                }
                case LockEvent.Released e -> ended(e.name(), e.session(), e.token());
                case LockEvent.Lost e -> ended(e.name(), e.session(), e.token());
                case LockEvent.Expired e -> expired.add(e.session());
                case LockEvent.Timeout e -> leaveQueue(e.name(), e.session());
                case LockEvent.Cancelled e -> leaveQueue(e.name(), e.session());
                case LockEvent.Deadlock e -> {
                    if (current instanceof LockCommand.AbortWait abort) {
                        // An aborted wait leaves the queue as a cancelled one does.
                        assertThat(e.cycle()).isEqualTo(abort.cycle());
                        leaveQueue(e.name(), e.session());
                    } else {
                        assertThat(e.cycle().getFirst()).isEqualTo(new CycleStep(e.session(), e.name()));
                    }
                }
            }
        }
        assertThat(expired).as("expired sessions").isEqualTo(expiredThisStep);
    }

    private void granted(LockEvent.Granted e) {
        assertThat(e.token()).as("a token is the granting entry's index").isEqualTo(e.index());
        List<Long> queue = queues.getOrDefault(e.name(), new ArrayList<>());
        boolean holding = holds.getOrDefault(e.name(), Map.of()).containsKey(e.session());
        if (queue.contains(e.session())) {
            // FIFO: only the head of the queue is ever granted.
            assertThat(queue.getFirst())
                    .as("granted from the queue of %s", e.name())
                    .isEqualTo(e.session());
            queue.removeFirst();
        } else if (!holding) {
            // A new request passes nobody: it is granted at once only if nobody waits.
            assertThat(queue).as("queue of %s at an immediate grant", e.name()).isEmpty();
        }
        List<Grant> history = grantsEver.computeIfAbsent(e.name(), k -> new ArrayList<>());
        for (Grant earlier : history) {
            assertThat(e.token()).as("tokens of %s never go back", e.name()).isGreaterThanOrEqualTo(earlier.token());
            if (e.mode() == LockMode.EXCLUSIVE && earlier.session() != e.session()) {
                assertThat(e.token())
                        .as("an exclusive token of %s is above every other session's", e.name())
                        .isGreaterThan(earlier.token());
            }
        }
        history.add(new Grant(e.session(), e.mode(), e.token()));
        Map<Long, Hold> holders = holds.computeIfAbsent(e.name(), k -> new HashMap<>());
        Hold previous = holders.put(e.session(), new Hold(e.mode(), e.token()));
        if (previous != null) {
            assertThat(previous.mode())
                    .as("only an upgrade grants a holder again")
                    .isEqualTo(LockMode.SHARED);
            assertThat(e.mode()).isEqualTo(LockMode.EXCLUSIVE);
        }
    }

    private void ended(String name, long session, long token) {
        Hold hold = holds.getOrDefault(name, Map.of()).get(session);
        assertThat(hold).as("hold of %s on %s", session, name).isNotNull();
        assertThat(hold.token()).isEqualTo(token);
        holds.get(name).remove(session);
    }

    private void leaveQueue(String name, long session) {
        assertThat(queues.getOrDefault(name, new ArrayList<>()).remove(session))
                .as("%s left the queue of %s", session, name)
                .isTrue();
    }

    /** The machine's views agree with the model. */
    void compare(LockStateMachine machine, List<Long> everOpened, List<String> names) {
        assertThat(machine.clockMs()).isEqualTo(clockMs);
        for (long id : everOpened) {
            long[] session = sessions.get(id);
            if (session == null) {
                assertThat(machine.session(id)).as("session %s", id).isEmpty();
            } else {
                assertThat(machine.session(id)).as("session %s", id).hasValueSatisfying(v -> assertThat(v.deadlineMs())
                        .isEqualTo(session[1]));
            }
        }
        for (String name : names) {
            Map<Long, Hold> expectedHolds = holds.getOrDefault(name, Map.of());
            List<Long> expectedQueue = queues.getOrDefault(name, List.of());
            LockView view = machine.lock(name).orElse(new LockView(name, List.of(), List.of(), 0));
            Map<Long, Hold> actualHolds = new HashMap<>();
            view.holders().forEach(h -> actualHolds.put(h.session(), new Hold(h.mode(), h.token())));
            assertThat(actualHolds).as("holders of %s", name).isEqualTo(expectedHolds);
            assertThat(view.waiters())
                    .extracting(LockView.Waiter::session)
                    .as("queue of %s", name)
                    .isEqualTo(expectedQueue);
            checkViews(view, clockMs, sessions.keySet());
        }
    }

    /** The wait-for graph of the views (docs/locks.md) has no cycle: every request that would close one was refused. */
    static void checkAcyclic(List<LockView> views) {
        Map<Long, Set<Long>> edges = new HashMap<>();
        for (LockView view : views) {
            for (int i = 0; i < view.waiters().size(); i++) {
                LockView.Waiter waiter = view.waiters().get(i);
                Set<Long> out = edges.computeIfAbsent(waiter.session(), k -> new HashSet<>());
                out.addAll(blockers(view, waiter.session(), waiter.mode(), i));
            }
        }
        Map<Long, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (long start : edges.keySet()) {
            assertThat(acyclicFrom(start, edges, state))
                    .as("wait-for cycle through %s", start)
                    .isTrue();
        }
    }

    /** The machine's edge list is the views' wait-for graph: each (request, blocker) once, locks in name order. */
    static void checkEdges(List<LockView> views, List<WaitEdge> edges) {
        Set<WaitEdge> expected = new HashSet<>();
        for (LockView view : views) {
            for (int i = 0; i < view.waiters().size(); i++) {
                LockView.Waiter waiter = view.waiters().get(i);
                for (long blocker : blockers(view, waiter.session(), waiter.mode(), i)) {
                    expected.add(new WaitEdge(waiter.session(), view.name(), blocker, waiter.sinceMs()));
                }
            }
        }
        assertThat(edges).doesNotHaveDuplicates();
        assertThat(new HashSet<>(edges)).isEqualTo(expected);
        assertThat(edges).extracting(WaitEdge::lock).isSortedAccordingTo(String::compareTo);
    }

    private static boolean acyclicFrom(long node, Map<Long, Set<Long>> edges, Map<Long, Integer> state) {
        Integer seen = state.get(node);
        if (seen != null) {
            return seen == 2;
        }
        state.put(node, 1);
        for (long next : edges.getOrDefault(node, Set.of())) {
            if (!acyclicFrom(next, edges, state)) {
                return false;
            }
        }
        state.put(node, 2);
        return true;
    }

    /** Sessions a request of {@code session} in {@code mode} at {@code position} of the queue must wait for. */
    static Set<Long> blockers(LockView view, long session, LockMode mode, int position) {
        Set<Long> blockers = new HashSet<>();
        for (LockView.Holder holder : view.holders()) {
            if (holder.session() != session && mode.conflictsWith(holder.mode())) {
                blockers.add(holder.session());
            }
        }
        for (int i = 0; i < position; i++) {
            LockView.Waiter ahead = view.waiters().get(i);
            if (ahead.session() != session && mode.conflictsWith(ahead.mode())) {
                blockers.add(ahead.session());
            }
        }
        return blockers;
    }

    /** A reported cycle is real: each step's session waits for the next one (on the state after the refusal). */
    static void checkCycle(LockReply.Deadlock deadlock, LockCommand.Acquire acquire, LockStateMachine machine) {
        List<CycleStep> cycle = deadlock.cycle();
        assertThat(cycle).hasSizeGreaterThanOrEqualTo(2);
        assertThat(deadlock.truncated()).isFalse();
        assertThat(cycle.getFirst()).isEqualTo(new CycleStep(acquire.session(), acquire.name()));
        for (int i = 0; i < cycle.size(); i++) {
            CycleStep step = cycle.get(i);
            long next = cycle.get((i + 1) % cycle.size()).session();
            LockView view = machine.lock(step.lock()).orElseThrow();
            Set<Long> blockers;
            if (i == 0) {
                boolean holds = view.holders().stream().anyMatch(h -> h.session() == step.session());
                blockers = blockers(
                        view,
                        step.session(),
                        acquire.mode(),
                        holds ? 0 : view.waiters().size());
            } else {
                int position = -1;
                for (int j = 0; j < view.waiters().size(); j++) {
                    position = view.waiters().get(j).session() == step.session() ? j : position;
                }
                assertThat(position)
                        .as("%s waits for %s", step.session(), step.lock())
                        .isNotNegative();
                blockers = blockers(
                        view, step.session(), view.waiters().get(position).mode(), position);
            }
            assertThat(blockers).as("%s waits for %s", step.session(), next).contains(next);
        }
    }

    /** Safety, straight from one lock's view. */
    static void checkViews(LockView view, long clockMs, Set<Long> live) {
        long exclusive = view.holders().stream()
                .filter(h -> h.mode() == LockMode.EXCLUSIVE)
                .count();
        assertThat(exclusive).as("exclusive holders of %s", view.name()).isLessThanOrEqualTo(1);
        if (exclusive == 1) {
            assertThat(view.holders())
                    .as("exclusive excludes shared on %s", view.name())
                    .hasSize(1);
        }
        view.holders().forEach(h -> assertThat(live).as("holder's session").contains(h.session()));
        view.waiters().forEach(w -> assertThat(live).as("waiter's session").contains(w.session()));
        view.waiters().forEach(w -> assertThat(w.deadlineMs()).isGreaterThan(clockMs));
        if (view.delayUntilMs() == 0 && !view.waiters().isEmpty()) {
            LockView.Waiter head = view.waiters().getFirst();
            boolean grantable = head.upgrade()
                    ? view.holders().size() == 1
                    : head.mode() == LockMode.EXCLUSIVE ? view.holders().isEmpty() : exclusive == 0;
            assertThat(grantable).as("lost wake-up on %s", view.name()).isFalse();
        }
    }
}
