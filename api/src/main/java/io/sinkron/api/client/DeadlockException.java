package io.sinkron.api.client;

import io.sinkron.api.problem.Problem;
import java.util.List;
import java.util.Objects;

/**
 * Waiting for the lock would close a cycle of sessions waiting for each other, so the acquire was refused at once
 * (slug {@code deadlock}). The request did not queue; the session keeps what it held.
 */
public class DeadlockException extends SinkronException {

    private final List<CycleStep> cycle;

    /** Creates the exception for a {@code deadlock} answer with the cycle the cluster reported. */
    public DeadlockException(int status, String detail, Problem problem, List<CycleStep> cycle) {
        super(Problems.DEADLOCK, status, detail, false, problem, null);
        this.cycle = List.copyOf(cycle);
    }

    /**
     * The wait-for cycle as the cluster reported it, possibly cut short by the cluster's bound on its length; empty
     * if the answer carried none.
     */
    public List<CycleStep> cycle() {
        return cycle;
    }

    /**
     * One step of a wait-for cycle: {@code sessionId} waits for {@code lock}, which the session of the next step holds
     * (or waits for ahead of it); the last step leads back to the first.
     *
     * @param sessionId the waiting session
     * @param lock the lock it waits for
     */
    public record CycleStep(String sessionId, String lock) {

        public CycleStep {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(lock, "lock");
        }
    }
}
