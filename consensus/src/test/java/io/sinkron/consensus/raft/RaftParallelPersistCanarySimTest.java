package io.sinkron.consensus.raft;

// Proves the simulation catches a leader that sends AppendEntries before its own persist yet counts its whole log
// toward commitment (dissertation §10.2.1 counts only what is on its disk): with pipelined persistence on a slow disk
// and a fast network, the broken CommitRule must fail a seed, within a bounded range, that passes with the real rule.

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.sim.NodeFactory;
import io.sinkron.consensus.sim.SimConfig;
import io.sinkron.consensus.sim.Simulation;
import io.sinkron.consensus.sim.SimulationFailure;
import org.junit.jupiter.api.Test;

class RaftParallelPersistCanarySimTest {

    /**
     * Seeds 20, 76, 156 and 248 catch it (durability: a committed entry on a minority of the stores) among the first
     * 250; the bound leaves room for changes in the core.
     */
    private static final int SEEDS_MAX = 400;

    /**
     * The window needs the leader's disk slower than a network round trip plus a follower's disk, and the leader to
     * crash inside it: so the disk takes up to 6 steps, messages 1, crashes are ten times as frequent as by default,
     * and the election timeout is doubled so the slow disk does not cost liveness.
     */
    private static final int PERSIST_DELAY_STEPS_MAX = 6;

    private static final int CRASH_PER_MILLE = 40;

    private static final NodeFactory BROKEN = (id, config, random, recovered) ->
            new RaftNode(id, config, random, recovered, CommitRule.COUNT_UNPERSISTED_SELF);

    private static SimConfig config(long seed) {
        SimConfig standard = SimConfig.standard(seed);
        return standard.withPersistDelay(PERSIST_DELAY_STEPS_MAX)
                .withFaultRates(CRASH_PER_MILLE, standard.partitionPerMille())
                .withNetwork(standard.lossPercent(), standard.duplicatePercent(), 1)
                .withRaft(standard.raft().withTimeouts(20, 2))
                .withLeaderPersistsInParallel();
    }

    @Test
    void countingTheLeadersUnpersistedEntriesIsCaught() {
        Long caught = null;
        for (long seed = 1; seed <= SEEDS_MAX && caught == null; seed++) {
            try {
                new Simulation(config(seed), BROKEN).run();
            } catch (SimulationFailure failure) {
                if (passesWithTheRealRule(seed)) {
                    System.out.println("parallel-persist canary caught at seed " + seed + ": "
                            + failure.getMessage().lines().findFirst().orElse(""));
                    caught = seed;
                }
            }
        }
        assertThat(caught)
                .as("a seed in 1.." + SEEDS_MAX + " catching a leader that counts entries not on its disk")
                .isNotNull();
    }

    /** A failure counts only if the leader counting just its durable index passes the same seed. */
    private static boolean passesWithTheRealRule(long seed) {
        try {
            new Simulation(config(seed)).run();
            return true;
        } catch (SimulationFailure failure) {
            return false;
        }
    }
}
