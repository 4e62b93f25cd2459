package io.sinkron.nodes.lock;

import io.sinkron.nodes.lock.LockEntities.Hold;
import io.sinkron.nodes.lock.LockEntities.LockState;
import io.sinkron.nodes.lock.LockEntities.SessionState;
import io.sinkron.nodes.lock.LockEntities.Waiter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Deadlock detection over the wait-for graph of one shard. Nodes are sessions; a queued request of session W for lock
 * L has an edge to every session that must leave or finish before W can be granted:
 *
 * <ul>
 *   <li>each other holder of L whose mode conflicts with W's request, and
 *   <li>each other request queued ahead of W on L whose mode conflicts with W's (the queue is FIFO, so W cannot pass
 *       it).
 * </ul>
 *
 * Compatible holders and waiters are no edges, so a cycle is a real deadlock: no one on it can be granted until
 * someone leaves (a timeout, a cancel, a session's end). Only new requests add edges (grants and removals only take
 * them away), so checking each request before it is queued keeps the graph acyclic.
 *
 * <p>The search is breadth-first from the sessions the new request would wait for, so it reports a shortest cycle;
 * it looks at no more than a bounded number of edges and reports when it gave up (then the request waits, and its
 * timeout ends a deadlock that was missed). Maps are only looked up, never iterated, so the result is deterministic.
 *
 * <p>{@link #edges} lists the whole graph under the same rules, for the node-side detector of cycles that span
 * shards (no shard sees them whole); it iterates the lock map, which is sorted by name.
 */
final class WaitForGraph {

    /**
     * What a search found.
     *
     * @param cycle empty if none, else starting with the requesting session
     * @param truncated the cycle was longer than reported
     * @param gaveUp the edge budget ran out before the search finished
     */
    record Search(List<CycleStep> cycle, boolean truncated, boolean gaveUp) {
        static final Search NONE = new Search(List.of(), false, false);
        static final Search ABANDONED = new Search(List.of(), false, true);
    }

    private final NavigableMap<Long, SessionState> sessions;
    private final NavigableMap<String, LockState> locks;

    WaitForGraph(NavigableMap<Long, SessionState> sessions, NavigableMap<String, LockState> locks) {
        this.sessions = sessions;
        this.locks = locks;
    }

    /**
     * Whether {@code requester}, queued at {@code position} on {@code lock} in {@code mode}, would close a cycle.
     */
    Search search(long requester, LockState lock, LockMode mode, int position, int edgesMax, int stepsMax) {
        // via.get(s) = the step that reached s: (a session waiting for a lock that s holds or is queued ahead on).
        Map<Long, CycleStep> via = new HashMap<>();
        ArrayDeque<Long> frontier = new ArrayDeque<>();
        int edges = 0;
        for (long target : blockers(lock, requester, mode, position)) {
            if (++edges > edgesMax) {
                return Search.ABANDONED;
            }
            if (via.putIfAbsent(target, new CycleStep(requester, lock.name)) == null) {
                frontier.add(target);
            }
        }
        while (!frontier.isEmpty()) {
            SessionState session = sessions.get(frontier.poll());
            for (String name : session.waiting) {
                LockState awaited = locks.get(name);
                int queued = awaited.indexOf(session.id);
                for (long target :
                        blockers(awaited, session.id, awaited.queue.get(queued).mode(), queued)) {
                    if (++edges > edgesMax) {
                        return Search.ABANDONED;
                    }
                    if (target == requester) {
                        return cycle(via, new CycleStep(session.id, name), requester, stepsMax);
                    }
                    if (via.putIfAbsent(target, new CycleStep(session.id, name)) == null) {
                        frontier.add(target);
                    }
                }
            }
        }
        return Search.NONE;
    }

    /**
     * Every edge of the graph, at most {@code max}: locks in name order, each lock's requests in queue order, each
     * request's blockers as {@link #blockers} lists them (conflicting holders in grant order, then conflicting requests
     * ahead in queue order), a blocker named once per request even if it both holds and waits ahead (an upgrade).
     */
    List<WaitEdge> edges(int max) {
        List<WaitEdge> edges = new ArrayList<>();
        for (LockState lock : locks.values()) {
            for (int position = 0; position < lock.queue.size(); position++) {
                Waiter waiter = lock.queue.get(position);
                for (long blocker : new LinkedHashSet<>(blockers(lock, waiter.session(), waiter.mode(), position))) {
                    if (edges.size() == max) {
                        return edges;
                    }
                    edges.add(new WaitEdge(waiter.session(), lock.name, blocker, waiter.sinceMs()));
                }
            }
        }
        return edges;
    }

    /** The sessions a request of {@code session} in {@code mode}, at {@code position} in the queue, waits for. */
    private static List<Long> blockers(LockState lock, long session, LockMode mode, int position) {
        List<Long> blockers = new ArrayList<>();
        for (Hold hold : lock.holders.values()) {
            if (hold.session() != session && mode.conflictsWith(hold.mode())) {
                blockers.add(hold.session());
            }
        }
        for (int i = 0; i < position; i++) {
            Waiter ahead = lock.queue.get(i);
            if (ahead.session() != session && mode.conflictsWith(ahead.mode())) {
                blockers.add(ahead.session());
            }
        }
        return blockers;
    }

    private static Search cycle(Map<Long, CycleStep> via, CycleStep last, long requester, int stepsMax) {
        List<CycleStep> steps = new ArrayList<>();
        steps.add(last);
        long current = last.session();
        while (current != requester) {
            CycleStep step = via.get(current);
            steps.add(step);
            current = step.session();
        }
        Collections.reverse(steps);
        boolean truncated = steps.size() > stepsMax;
        return new Search(truncated ? List.copyOf(steps.subList(0, stepsMax)) : List.copyOf(steps), truncated, false);
    }
}
