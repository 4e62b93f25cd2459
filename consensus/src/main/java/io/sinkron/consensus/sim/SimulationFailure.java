package io.sinkron.consensus.sim;

import java.io.Serial;

/** A run broke a safety or liveness property; the message names the seed, the step and the property. */
public final class SimulationFailure extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final long seed;

    SimulationFailure(long seed, long step, String message, Throwable cause) {
        super("seed " + seed + ", step " + step + ": " + message, cause);
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }
}
