package io.sinkron.consensus.sim;

// Proves the pipelined-persistence simulation can fail: a driver that sends each Ready's messages when it is produced
// and persists it later (acknowledgements and votes leave before the data they vouch for) must be caught by the
// checkers within a bounded seed range, while the seed that catches it passes when messages wait for the persist.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class RaftSendBeforePersistCanarySimTest {

    /** Seeds 2, 4, 9, 13 and 31 fail (durability) among the first 31; the bound leaves room for changes in the core. */
    private static final int SEEDS_MAX = 200;

    @Test
    void sendingBeforeThePersistIsCaught() {
        Long caught = null;
        for (long seed = 1; seed <= SEEDS_MAX && caught == null; seed++) {
            try {
                new Simulation(RaftDeferredPersistSimTest.config(seed).withSendBeforePersist()).run();
            } catch (SimulationFailure failure) {
                System.out.println("send-before-persist canary caught: "
                        + failure.getMessage().lines().findFirst().orElse(""));
                caught = seed;
            }
        }
        assertThat(caught)
                .as("a seed in 1.." + SEEDS_MAX + " catching sends before the persist")
                .isNotNull();
        long seed = caught;
        assertThatCode(() -> new Simulation(RaftDeferredPersistSimTest.config(seed)).run())
                .as("seed %d with messages after the persist", seed)
                .doesNotThrowAnyException();
    }
}
