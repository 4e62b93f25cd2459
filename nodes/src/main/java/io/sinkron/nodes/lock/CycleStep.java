package io.sinkron.nodes.lock;

import java.util.Objects;

/**
 * One edge of a wait-for cycle: {@code session} waits for {@code lock}, which is held (or queued ahead, in a
 * conflicting mode) by the session of the next step; the last step leads back to the first.
 *
 * @param session the waiting session
 * @param lock the lock it waits for
 */
public record CycleStep(long session, String lock) {

    public CycleStep {
        Objects.requireNonNull(lock, "lock");
    }
}
