package io.sinkron.consensus.sim;

// Proves the liveness checker states what Raft promises after the faults stop: scripted runs feed it the real nodes of
// a ScriptedCluster. A leader cut off until the heal, deposed by check-quorum, may lose its proposal (seeds 10139,
// 10784, 14139, 15371, 16674 once failed on that); a leader that keeps leading without committing, leadership that
// keeps changing or changes late, and no leader at all are each caught.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.Outcome;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.Role;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RaftLivenessCanarySimTest {

    private static final long SEED = 11_00;
    private static final RaftConfig RAFT = RaftConfig.defaults().withTimeouts(10, 2);
    /** Only the liveness bounds and the heal step ({@code faultSteps}) are used. */
    private static final SimConfig BOUNDS = SimConfig.standard(SEED);

    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final byte[] X = "X".getBytes(StandardCharsets.UTF_8);
    private static final byte[] Y = "Y".getBytes(StandardCharsets.UTF_8);

    /** A scripted cluster whose "steps" after the heal are the calls to {@link #check()}. */
    private static final class Run {
        final ScriptedCluster cluster = new ScriptedCluster(SEED, 3, RAFT, StorageFault.NONE, NodeFactory.STANDARD);
        final CoverageCounter coverage = new CoverageCounter();
        final LivenessChecker liveness = new LivenessChecker(BOUNDS, coverage);
        long step = BOUNDS.faultSteps();

        /** A leads term 1 and its no-op is applied everywhere. */
        Run() {
            cluster.tickUntil(A, Role.PRE_CANDIDATE, 100);
            cluster.deliverAll();
            assertThat(cluster.node(A).role()).isEqualTo(Role.LEADER);
            assertThat(cluster.appliedAt(1)).isNotNull();
        }

        /** One step after the heal ends here: the checker looks at the cluster. */
        void check() {
            liveness.check(step++, cluster.live(), cluster.safety());
        }

        Outcome propose(int id, byte[] command) {
            Outcome outcome = cluster.propose(id, command);
            if (outcome instanceof Outcome.Accepted(long index, long term)) {
                liveness.onAccepted(cluster.node(id), index, term, step, cluster.live());
            }
            return outcome;
        }

        /** A healthy step: every node ticks, every message arrives. */
        void quietStep() {
            for (int id = A; id <= C; id++) {
                cluster.tick(id);
            }
            cluster.deliverAll();
            check();
        }

        /** Leadership moves from {@code from} to {@code to} by a transfer (dissertation §3.10). */
        void transfer(int from, int to) {
            assertThat(cluster.transferLeadership(from, to)).isInstanceOf(Outcome.Accepted.class);
            cluster.deliverAll();
            assertThat(cluster.node(to).role()).isEqualTo(Role.LEADER);
            check();
        }
    }

    /**
     * The shape of the five seeds: every link is cut, B and C time out and pre-campaign in vain — their terms stay at
     * 1, so A still leads the highest term when the network heals. A accepts X, but check-quorum (dissertation §6.2)
     * deposes it before its appends arrive: nobody answered it during its check window. B wins term 2 without X and
     * its no-op takes index 2. Raft allows this; the checker releases X and holds B to every bound.
     */
    private static Run cutOffLeaderDeposedAfterTheHeal() {
        Run run = new Run();
        for (int id = A; id <= C; id++) {
            run.cluster.isolate(id);
        }
        for (int t = 0; t < RAFT.electionTimeoutTicks(); t++) {
            run.cluster.tick(A); // its first check-quorum passes on the answers from before the cut
        }
        run.cluster.tickUntil(B, Role.PRE_CANDIDATE, 100);
        run.cluster.tickUntil(C, Role.PRE_CANDIDATE, 100);
        run.cluster.drop(m -> true); // lost in the partition
        run.cluster.heal();

        run.check();
        assertThat(LivenessChecker.stableLeader(run.cluster.live())).isSameAs(run.cluster.node(A));
        assertThat(run.propose(A, X)).isEqualTo(new Outcome.Accepted(2, 1));
        while (run.cluster.node(A).role() == Role.LEADER) {
            run.cluster.tick(A); // its appends are still on the way
            run.check();
        }
        run.cluster.tick(B);
        run.cluster.tick(B);
        run.cluster.deliver(m -> !(m instanceof AppendEntriesRequest a && a.from() == A));
        assertThat(run.cluster.node(B).role()).isEqualTo(Role.LEADER);
        assertThat(run.cluster.node(B).term()).isEqualTo(2);
        run.cluster.deliverAll();
        assertThat(run.cluster.appliedAt(2).term())
                .as("B's no-op overwrote A's X")
                .isEqualTo(2);
        run.check();
        return run;
    }

    @Test
    void proposalOfALeaderDeposedAfterTheHealMayBeLost() {
        Run run = cutOffLeaderDeposedAfterTheHeal();
        assertThat(run.coverage.proposalsReleasedByLeaderChange).isEqualTo(1);
        assertThat(run.coverage.leadershipsEndedAfterHeal).isEqualTo(1);

        assertThat(run.propose(B, Y)).isEqualTo(new Outcome.Accepted(3, 2));
        while (run.step <= BOUNDS.faultSteps() + BOUNDS.electionBoundSteps() + BOUNDS.commitBoundSteps()) {
            run.quietStep();
        }
        assertThat(run.cluster.node(B).role()).isEqualTo(Role.LEADER);
        assertThat(run.cluster.appliedAt(3).term()).isEqualTo(2);
        assertThat(run.liveness.done()).isTrue();
        assertThat(run.coverage.proposalsCheckedForLiveness).isEqualTo(2);
        assertThat(run.coverage.proposalsReleasedByLeaderChange).isEqualTo(1);
    }

    @Test
    void leaderThatKeepsLeadingMustCommit() {
        Run run = new Run();
        run.check();
        assertThat(run.propose(A, X)).isInstanceOf(Outcome.Accepted.class);
        assertThatThrownBy(() -> {
                    for (int s = 0; s <= BOUNDS.commitBoundSteps() + 1; s++) {
                        run.cluster.drop(m -> true); // its appends vanish; it does not tick, so it keeps leading
                        run.check();
                    }
                })
                .isInstanceOf(SafetyChecker.InvariantViolation.class)
                .hasMessageContaining("which still leads that term, not applied on every member");
    }

    @Test
    void leadershipThatKeepsChangingIsCaught() {
        Run run = new Run();
        run.check();
        assertThatThrownBy(() -> {
                    for (int change = 0; change <= BOUNDS.leaderChangesMax(); change++) {
                        int from = change % 3;
                        run.transfer(from, (from + 1) % 3);
                    }
                })
                .isInstanceOf(SafetyChecker.InvariantViolation.class)
                .hasMessageContaining("leaderships ended after the faults stopped");
    }

    @Test
    void leadershipThatChangesAfterTheElectionBoundIsCaught() {
        Run run = new Run();
        run.transfer(A, B); // early changes are within the budget
        while (run.step <= BOUNDS.faultSteps() + BOUNDS.electionBoundSteps()) {
            run.quietStep();
        }
        assertThatThrownBy(() -> run.transfer(B, C))
                .isInstanceOf(SafetyChecker.InvariantViolation.class)
                .hasMessageContaining("leadership did not settle: node 1 stopped leading term 2");
    }

    @Test
    void noLeaderByTheElectionBoundIsCaught() {
        Run run = new Run();
        run.cluster.crash(A);
        run.cluster.restart(A);
        assertThatThrownBy(() -> {
                    while (run.step <= BOUNDS.faultSteps() + BOUNDS.electionBoundSteps()) {
                        run.check(); // nobody ticks: nobody campaigns
                    }
                })
                .isInstanceOf(SafetyChecker.InvariantViolation.class)
                .hasMessageContaining("no leader of the highest term");
    }
}
