package io.sinkron.consensus.sim;

// Proves election safety catches a forgotten vote (Raft §5.2: votedFor must be durable before the answer leaves): a
// scripted run makes a voter grant its vote, crash, reboot from storage that forgot it and vote again in the same term.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.Role;
import io.sinkron.schemas.raft.RaftMessage.VoteRequest;
import io.sinkron.schemas.raft.RaftMessage.VoteResponse;
import org.junit.jupiter.api.Test;

class RaftVotePersistenceCanarySimTest {

    private static final long SEED = 5_2;
    private static final RaftConfig RAFT = RaftConfig.defaults().withTimeouts(10, 2);
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    /**
     * A and C cannot talk; B hears both. Both pass pre-vote at B while B is still in term 0, both send a term-1 vote
     * request; B grants A's (A leads term 1) before any of A's appends reach it — so B's log stays as short as C's —
     * then B crashes, reboots and receives C's request.
     */
    private static ScriptedCluster script(StorageFault fault) {
        ScriptedCluster cluster = new ScriptedCluster(SEED, 3, RAFT, fault, NodeFactory.STANDARD);
        cluster.block(A, C);
        cluster.block(C, A);
        cluster.tickUntil(A, Role.PRE_CANDIDATE, 100);
        cluster.deliver(m -> !(m instanceof VoteRequest));
        assertThat(cluster.node(A).role()).isEqualTo(Role.CANDIDATE);
        cluster.tickUntil(C, Role.PRE_CANDIDATE, 100);
        cluster.deliver(m -> !(m instanceof VoteRequest));
        assertThat(cluster.node(C).role()).isEqualTo(Role.CANDIDATE);
        assertThat(cluster.node(C).term()).isEqualTo(1);
        cluster.deliver(m -> (m instanceof VoteRequest v && v.from() == A) || m instanceof VoteResponse);
        assertThat(cluster.node(A).role()).isEqualTo(Role.LEADER);
        cluster.crash(B);
        cluster.restart(B);
        cluster.deliver(m -> (m instanceof VoteRequest v && v.from() == C) || m instanceof VoteResponse);
        cluster.deliverAll();
        return cluster;
    }

    @Test
    void forgottenVoteIsCaughtAsTwoLeadersInOneTerm() {
        assertThatThrownBy(() -> script(StorageFault.FORGET_VOTE_ON_CRASH))
                .isInstanceOf(SimulationFailure.class)
                .hasMessageContaining("election safety")
                .satisfies(failure -> System.out.println("vote canary caught: " + failure.getMessage()));
    }

    @Test
    void persistedVoteRefusesTheSecondCandidate() {
        ScriptedCluster cluster = script(StorageFault.NONE);
        assertThat(cluster.node(A).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(C).role()).isNotEqualTo(Role.LEADER);
        assertThat(cluster.node(B).leaderId()).isEqualTo(A);
    }
}
