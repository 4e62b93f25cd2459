package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.Ready;
import java.util.ArrayDeque;

/**
 * One node's Readies produced but not yet persisted, in the order {@link io.sinkron.consensus.raft.RaftNode#ready()}
 * returned them (pipelined persistence, {@link SimConfig#persistDelayStepsMax()} above 0). Each has a release step;
 * release steps never decrease along the queue, so Readies are persisted — and then acted on — strictly in FIFO order,
 * as a single disk writer completes them. Memory only: a crash drops it whole. Package-private; single-threaded.
 */
final class PersistPipeline {

    /** Most Readies one node may hold: a few steps of a few inputs each; far more means a release never happens. */
    static final int HELD_MAX = 1_000;

    private record Held(Ready ready, long releaseStep) {}

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long lastReleaseStep = Long.MIN_VALUE;

    /** Queues {@code ready} to be released at {@code releaseStep}, or later if an earlier Ready is due later. */
    void hold(Ready ready, long releaseStep) {
        if (held.size() >= HELD_MAX) {
            throw new IllegalStateException("more than " + HELD_MAX + " Readies wait for their persist");
        }
        lastReleaseStep = Math.max(lastReleaseStep, releaseStep);
        held.addLast(new Held(ready, lastReleaseStep));
    }

    /** Whether the oldest held Ready is due at {@code now}. */
    boolean isHeadDue(long now) {
        return !held.isEmpty() && held.peekFirst().releaseStep() <= now;
    }

    /** Removes and returns the oldest held Ready. */
    Ready release() {
        return held.removeFirst().ready();
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    /** The process died: every Ready not yet persisted is gone; returns how many. */
    int drop() {
        int lost = held.size();
        held.clear();
        lastReleaseStep = Long.MIN_VALUE;
        return lost;
    }
}
