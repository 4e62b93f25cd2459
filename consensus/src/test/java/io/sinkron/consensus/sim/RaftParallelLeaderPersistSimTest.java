package io.sinkron.consensus.sim;

// Proves the leader may write its log in parallel with replicating it (dissertation §10.2.1): runs sim.seeds (1000 if
// unset) full simulations with pipelined persistence (each Ready held 0..3 steps) where leaders send AppendEntries
// when a Ready is produced and count themselves toward commit only up to what RaftNode#persisted reported, under every
// check RaftSimTest runs, plus a smaller synchronous run; asserts early sends and persist-gated commits really
// happened.

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class RaftParallelLeaderPersistSimTest {

    private static final String DEFAULT_SEEDS = "1000";

    /** Synchronous runs: the ordering differs only within one input there, so fewer seeds suffice. */
    private static final int SYNCHRONOUS_SEEDS_MAX = 200;

    static SimConfig config(long seed) {
        return RaftDeferredPersistSimTest.config(seed).withLeaderPersistsInParallel();
    }

    @Test
    void everySeedKeepsSafetyLivenessAndLinearizabilityWithPipelinedPersistence() {
        List<Long> seeds = RaftSimTest.seeds(DEFAULT_SEEDS);
        Coverage total = runAll("pipelined", seeds, RaftParallelLeaderPersistSimTest::config);
        if (seeds.size() >= 100) {
            assertCoverage(total, seeds.size());
            // Followers usually answer after the leader's disk, so a commit waits for it only in a few races.
            assertThat(total.commitsOnLeaderPersist())
                    .as("commits that waited for the leader's own persist")
                    .isPositive();
            assertThat(total.readiesLostToCrash())
                    .as("Readies dropped unpersisted by a crash")
                    .isGreaterThan(seeds.size() / 2);
        }
    }

    @Test
    void everySeedKeepsSafetyLivenessAndLinearizabilityWithSynchronousPersistence() {
        List<Long> seeds = RaftSimTest.seeds(DEFAULT_SEEDS);
        if (seeds.size() > SYNCHRONOUS_SEEDS_MAX) {
            seeds = seeds.subList(0, SYNCHRONOUS_SEEDS_MAX);
        }
        Coverage total =
                runAll("synchronous", seeds, seed -> SimConfig.standard(seed).withLeaderPersistsInParallel());
        if (seeds.size() >= 100) {
            assertCoverage(total, seeds.size());
        }
    }

    private static Coverage runAll(String mode, List<Long> seeds, LongFunction<SimConfig> configs) {
        return SeedRuns.runAll("RaftParallelLeaderPersistSimTest", mode, seeds, configs);
    }

    /** Early sends and persist-gated commits must really have happened, or the green result proves nothing. */
    private static void assertCoverage(Coverage total, int runs) {
        assertThat(total.messagesSentBeforePersist())
                .as("AppendEntries sent before the leader's persist")
                .isGreaterThan(100L * runs);
        assertThat(total.crashes()).as("crashes").isGreaterThan(2L * runs);
        assertThat(total.snapshotsInstalled()).as("snapshots installed").isPositive();
        assertThat(total.proposalsCheckedForLiveness())
                .as("proposals held to the commit bound")
                .isGreaterThan(5L * runs);
    }
}
