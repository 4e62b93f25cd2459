package io.sinkron.consensus.sim;

// Proves the checkers can fail: deliberately broken variants (storage that loses unsynced entries, clients that read
// without ReadIndex) run under the same random simulation and each must be caught within a bounded seed range.

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RaftCanarySimTest {

    private static final int SEEDS_MAX = 300;

    /** Runs seeds until one fails; returns that failure's message, or null if none did. */
    private static String firstFailure(java.util.function.LongFunction<SimConfig> variant) {
        for (long seed = 1; seed <= SEEDS_MAX; seed++) {
            try {
                new Simulation(variant.apply(seed)).run();
            } catch (SimulationFailure failure) {
                System.out.println("canary caught: "
                        + failure.getMessage().lines().findFirst().orElse(""));
                return failure.getMessage();
            }
        }
        return null;
    }

    @Test
    void losingAcknowledgedEntriesIsCaughtAsALostCommit() {
        String failure =
                firstFailure(seed -> SimConfig.standard(seed).withStorageFault(StorageFault.LOSE_UNSYNCED_ENTRIES));
        assertThat(failure).as("durability canary").isNotNull();
    }

    @Test
    void readingWithoutReadIndexIsCaughtByTheLinearizabilityChecker() {
        String failure = firstFailure(seed -> SimConfig.standard(seed).withStaleReads());
        assertThat(failure).as("ReadIndex canary").isNotNull().contains("linearizability");
    }
}
