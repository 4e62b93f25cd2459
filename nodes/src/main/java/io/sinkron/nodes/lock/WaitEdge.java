package io.sinkron.nodes.lock;

import java.util.Objects;

/**
 * One edge of a shard's wait-for graph, as {@link LockStateMachine#waitForEdges} reports it: the queued request of
 * session {@code waiter} for {@code lock} cannot be granted before session {@code blocker} leaves, because the
 * blocker holds the lock in a conflicting mode or is queued ahead of it in a conflicting mode (the rules of {@link
 * WaitForGraph}). A node-side detector joins the edges of every shard to find cycles that span shards.
 *
 * @param waiter the waiting session
 * @param lock the lock it waits for
 * @param blocker the session it waits for
 * @param waitingSinceMs log time at which the waiter's request was queued
 */
public record WaitEdge(long waiter, String lock, long blocker, long waitingSinceMs) {

    public WaitEdge {
        Objects.requireNonNull(lock, "lock");
    }
}
