package io.sinkron.consensus.sim;

// Proves pipelined persistence is safe with the unchanged core: runs sim.seeds (300 if unset; the parent POM sets 1000
// for every simulation, about 13 s) full simulations whose driver keeps feeding each node while its Readies wait 0..3
// steps for their persist (released in FIFO order, effects only after the persist; a crash drops the rest), under
// every check RaftSimTest runs, and asserts that deferral and crash-dropped Readies really happened.

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RaftDeferredPersistSimTest {

    /** Steps a Ready may wait for its persist: a disk a few times slower than the network's fastest hop. */
    static final int PERSIST_DELAY_STEPS_MAX = 3;

    private static final String DEFAULT_SEEDS = "300";

    static SimConfig config(long seed) {
        return SimConfig.standard(seed).withPersistDelay(PERSIST_DELAY_STEPS_MAX);
    }

    @Test
    void everySeedKeepsSafetyLivenessAndLinearizabilityWithPipelinedPersistence() {
        List<Long> seeds = RaftSimTest.seeds(DEFAULT_SEEDS);
        Coverage total = SeedRuns.runAll("RaftDeferredPersistSimTest", "", seeds, RaftDeferredPersistSimTest::config);
        if (seeds.size() >= 100) {
            assertCoverage(total, seeds.size());
        }
    }

    /** Pipelining must really have happened, or the green result proves nothing about it. */
    private static void assertCoverage(Coverage total, int runs) {
        assertThat(total.readiesPipelined())
                .as("Readies held for a later persist")
                .isGreaterThan(1_000L * runs);
        assertThat(total.inputsWhilePersisting())
                .as("inputs taken while Readies were unpersisted")
                .isGreaterThan(total.readiesPipelined() / 10);
        assertThat(total.readiesLostToCrash())
                .as("Readies dropped unpersisted by a crash")
                .isGreaterThan(runs / 2);
        assertThat(total.crashes()).as("crashes").isGreaterThan(2L * runs);
        assertThat(total.snapshotsInstalled()).as("snapshots installed").isPositive();
        assertThat(total.proposalsCheckedForLiveness())
                .as("proposals held to the commit bound")
                .isGreaterThan(5L * runs);
    }
}
