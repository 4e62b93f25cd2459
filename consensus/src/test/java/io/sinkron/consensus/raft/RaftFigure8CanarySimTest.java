package io.sinkron.consensus.raft;

// Proves the checkers catch a leader that commits an old-term entry by counting replicas (Raft §5.4.2, Figure 8): a
// scripted Figure 8 run with the broken CommitRule must fail leader completeness; the same script with the real rule
// passes. (Seeded random runs did not hit the window in 300 seeds even with one entry per append: it needs the script.)

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.sim.NodeFactory;
import io.sinkron.consensus.sim.ScriptedCluster;
import io.sinkron.consensus.sim.SimulationFailure;
import io.sinkron.consensus.sim.StorageFault;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesRequest;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class RaftFigure8CanarySimTest {

    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final byte[] X = "X".getBytes(StandardCharsets.UTF_8);

    /** One entry per AppendEntries, so a follower can acknowledge an old-term entry before the new leader's no-op. */
    private static final RaftConfig ONE_ENTRY_PER_APPEND =
            new RaftConfig(10, 2, 1, 1 << 20, 8, 10_000, 1_024, 96, 1L << 30, 40, 100);

    private static final NodeFactory BROKEN = (id, config, random, recovered) ->
            new RaftNode(id, config, random, recovered, CommitRule.ANY_TERM_BY_COUNTING);

    private static final NodeFactory CORRECT = (id, config, random, recovered) ->
            new RaftNode(id, config, random, recovered, CommitRule.CURRENT_TERM_ONLY);

    /**
     * Figure 8 with three nodes. Term 1: A leads, appends X at index 2 while cut off. Term 2: C leads with votes from
     * B and appends its no-op at index 2, which reaches nobody. Term 3: A leads again and copies X to B — stored on a
     * majority but from term 1; the no-op of term 3 is held back. Then A crashes and C, whose index 2 has the newer
     * term 2, wins term 4 with B's vote and would overwrite X.
     */
    private static ScriptedCluster figure8(NodeFactory factory) {
        ScriptedCluster cluster = new ScriptedCluster(8, 3, ONE_ENTRY_PER_APPEND, StorageFault.NONE, factory);
        cluster.tickUntil(A, Role.PRE_CANDIDATE, 100);
        cluster.deliverAll();
        assertThat(cluster.node(A).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.appliedAt(1)).isNotNull();

        cluster.isolate(A);
        assertThat(cluster.propose(A, X)).isEqualTo(new Outcome.Accepted(2, 1));
        cluster.drop(m -> true);

        outOfLease(cluster, B);
        cluster.tickUntil(C, Role.PRE_CANDIDATE, 100);
        cluster.deliver(m -> !(m instanceof AppendEntriesRequest));
        assertThat(cluster.node(C).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(C).term()).isEqualTo(2);
        cluster.drop(m -> true);
        cluster.heal();
        cluster.isolate(C);

        cluster.tickUntil(A, Role.FOLLOWER, 100); // check-quorum
        cluster.drop(m -> true);
        campaign(cluster, A);
        assertThat(cluster.node(A).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(A).term()).isEqualTo(3);
        cluster.deliver(firstOnly(
                m -> m instanceof AppendEntriesRequest a && a.entries().stream().anyMatch(e -> e.index() == 3)));
        assertThat(cluster.node(B).termAt(2)).isEqualTo(1);
        assertThat(cluster.node(B).lastIndex()).isEqualTo(2);

        cluster.crash(A);
        cluster.drop(m -> true);
        cluster.heal();
        cluster.tickUntil(C, Role.FOLLOWER, 100); // check-quorum
        cluster.drop(m -> true);
        outOfLease(cluster, B);
        campaign(cluster, C);
        assertThat(cluster.node(C).role()).isEqualTo(Role.LEADER);
        cluster.deliverAll();
        cluster.restart(A);
        for (int t = 0; t < 10; t++) {
            cluster.tick(C);
            cluster.deliverAll();
        }
        return cluster;
    }

    /** Ticks {@code id} for one minimum election timeout, so it no longer honours a leader's lease. */
    private static void outOfLease(ScriptedCluster cluster, int id) {
        for (int t = 0; t < ONE_ENTRY_PER_APPEND.electionTimeoutTicks(); t++) {
            cluster.tick(id);
        }
        cluster.drop(m -> true);
    }

    /** Times out until elected; a pre-vote refused with a higher term teaches it that term first. */
    private static void campaign(ScriptedCluster cluster, int id) {
        for (int round = 0; round < 3 && cluster.node(id).role() != Role.LEADER; round++) {
            cluster.tickUntil(id, Role.PRE_CANDIDATE, 100);
            cluster.deliver(m -> !(m instanceof AppendEntriesRequest));
        }
    }

    /** Delivers everything, except that of the messages matching {@code held} only the first goes through. */
    private static Predicate<RaftMessage> firstOnly(Predicate<RaftMessage> held) {
        boolean[] passed = {false};
        return m -> {
            if (!held.test(m)) {
                return true;
            }
            if (passed[0]) {
                return false;
            }
            passed[0] = true;
            return true;
        };
    }

    @Test
    void scriptedFigure8WithCountingCommitIsCaught() {
        assertThatThrownBy(() -> figure8(BROKEN))
                .isInstanceOf(SimulationFailure.class)
                .hasMessageContaining("leader completeness")
                .satisfies(failure -> System.out.println("Figure 8 canary caught: " + failure.getMessage()));
    }

    @Test
    void scriptedFigure8WithCurrentTermRuleIsSafe() {
        ScriptedCluster cluster = figure8(CORRECT);
        LogEntry atTwo = cluster.appliedAt(2);
        assertThat(atTwo).isNotNull();
        assertThat(atTwo.term()).as("C's term-2 no-op, not A's uncommitted X").isEqualTo(2);
        assertThat(cluster.node(A).termAt(2)).isEqualTo(2);
    }
}
