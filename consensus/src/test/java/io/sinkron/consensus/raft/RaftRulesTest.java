package io.sinkron.consensus.raft;

// Proves the Raft paper's rules one by one (tests named after the section): nodes are driven by hand, messages
// delivered explicitly, and each test asserts one rule's observable effect.

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesRequest;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesResponse;
import io.sinkron.schemas.raft.RaftMessage.VoteRequest;
import io.sinkron.schemas.raft.RaftMessage.VoteResponse;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RaftRulesTest {

    private static final ClusterConfig THREE = ClusterConfig.ofVoters(Set.of(0, 1, 2));
    private static final RaftConfig CONFIG = RaftConfig.defaults().withTimeouts(10, 2);

    private static RaftNode node(int id, long term, List<LogEntry> entries) {
        Snapshot boot = Snapshot.bootstrap(SnapshotMeta.bootstrap(THREE));
        return new RaftNode(
                id, CONFIG, new SplittableRandom(id), new PersistentState(new HardState(term, -1), boot, entries));
    }

    private static LogEntry entry(long term, long index) {
        return new LogEntry(term, index, new EntryPayload.Command(new byte[] {(byte) index}));
    }

    /** Delivers messages among {@code nodes} (ids = positions) until quiet. */
    private static void settle(List<RaftNode> nodes) {
        List<RaftMessage> queue = new ArrayList<>();
        for (RaftNode n : nodes) {
            queue.addAll(n.ready().messages());
        }
        for (int guard = 0; !queue.isEmpty() && guard < 10_000; guard++) {
            RaftMessage m = queue.removeFirst();
            RaftNode target = nodes.get(m.to());
            target.step(m);
            queue.addAll(target.ready().messages());
        }
    }

    private static RaftNode electLeader(List<RaftNode> nodes) {
        for (int tick = 0; tick < 100; tick++) {
            nodes.getFirst().tick();
            settle(nodes);
            if (nodes.getFirst().role() == Role.LEADER) {
                return nodes.getFirst();
            }
        }
        throw new AssertionError("no leader");
    }

    @Test
    void section5_2_electionYieldsExactlyOneLeader() {
        List<RaftNode> nodes = List.of(node(0, 0, List.of()), node(1, 0, List.of()), node(2, 0, List.of()));
        RaftNode leader = electLeader(nodes);
        assertThat(nodes.stream().filter(n -> n.role() == Role.LEADER)).containsExactly(leader);
        assertThat(nodes).allSatisfy(n -> assertThat(n.leaderId()).isEqualTo(0));
    }

    @Test
    void section5_2_atMostOneVotePerTerm() {
        RaftNode voter = node(2, 1, List.of());
        voter.step(new VoteRequest(0, 2, 2, 0, 0, false));
        voter.step(new VoteRequest(1, 2, 2, 0, 0, false));
        Ready ready = voter.ready();
        assertThat(ready.hardState()).isEqualTo(new HardState(2, 0));
        assertThat(ready.messages()).containsExactly(new VoteResponse(2, 0, 2, true), new VoteResponse(2, 1, 2, false));
    }

    @Test
    void section5_4_1_noVoteForALessUpToDateLog() {
        RaftNode voter = node(2, 2, List.of(entry(1, 1), entry(2, 2)));
        voter.step(new VoteRequest(0, 2, 3, 5, 1, false)); // longer log but older last term
        assertThat(voter.ready().messages()).containsExactly(new VoteResponse(2, 0, 3, false));
    }

    @Test
    void section5_3_appendRejectedOnMismatchWithConflictHint() {
        RaftNode follower = node(1, 3, List.of(entry(1, 1), entry(2, 2), entry(2, 3)));
        follower.step(new AppendEntriesRequest(0, 1, 3, 3, 3, 0, 0, List.of(entry(3, 4))));
        AppendEntriesResponse response =
                (AppendEntriesResponse) follower.ready().messages().getFirst();
        assertThat(response.success()).isFalse();
        assertThat(response.conflictTerm()).isEqualTo(2);
        assertThat(response.conflictIndex()).isEqualTo(2); // skip the whole of term 2 in one round trip
    }

    @Test
    void section5_3_conflictingSuffixIsReplaced() {
        RaftNode follower = node(1, 3, List.of(entry(1, 1), entry(2, 2), entry(2, 3)));
        follower.step(new AppendEntriesRequest(0, 1, 3, 1, 1, 0, 0, List.of(entry(3, 2))));
        Ready ready = follower.ready();
        assertThat(ready.entriesToPersist()).containsExactly(entry(3, 2));
        assertThat(follower.lastIndex()).isEqualTo(2);
    }

    @Test
    void section5_4_2_oldTermEntriesAreNotCommittedByCounting() {
        // Node 0 holds an entry from term 1 and becomes leader of term 3; a follower acknowledging only index 1 makes
        // it stored on a majority, but it must not commit until an entry of term 3 is (Figure 8).
        RaftNode leader = node(0, 2, List.of(entry(1, 1)));
        for (int t = 0; t < 25 && leader.role() != Role.PRE_CANDIDATE; t++) {
            leader.tick();
        }
        leader.step(new RaftMessage.PreVoteResponse(1, 0, 3, true));
        leader.step(new VoteResponse(1, 0, 3, true));
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        leader.ready();
        leader.step(new AppendEntriesResponse(1, 0, 3, true, 1, 0, 0, 0, 0));
        assertThat(leader.commitIndex()).isZero();
        leader.step(new AppendEntriesResponse(1, 0, 3, true, 2, 0, 0, 0, 0)); // the term-3 no-op at index 2
        assertThat(leader.commitIndex()).isEqualTo(2);
    }

    @Test
    void section9_6_preVoteDoesNotRaiseTheTermOfAnIsolatedNode() {
        RaftNode isolated = node(2, 4, List.of());
        for (int t = 0; t < 200; t++) {
            isolated.tick();
            isolated.ready(); // its pre-votes go nowhere
        }
        assertThat(isolated.term()).isEqualTo(4);
        assertThat(isolated.role()).isEqualTo(Role.PRE_CANDIDATE);
    }

    @Test
    void section6_2_checkQuorumLeaderStepsDownWhenCutOff() {
        List<RaftNode> nodes = List.of(node(0, 0, List.of()), node(1, 0, List.of()), node(2, 0, List.of()));
        RaftNode leader = electLeader(nodes);
        for (int t = 0; t < 3 * CONFIG.electionTimeoutTicks(); t++) {
            leader.tick();
            leader.ready(); // heartbeats are lost: no answers
        }
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void section6_4_readIndexWaitsForAQuorumRound() {
        List<RaftNode> nodes = List.of(node(0, 0, List.of()), node(1, 0, List.of()), node(2, 0, List.of()));
        RaftNode leader = electLeader(nodes);
        assertThat(leader.readIndex(42)).isInstanceOf(Outcome.Accepted.class);
        Ready first = leader.ready();
        assertThat(first.readStates()).isEmpty();
        for (RaftMessage m : first.messages()) {
            nodes.get(m.to()).step(m);
            for (RaftMessage answer : nodes.get(m.to()).ready().messages()) {
                leader.step(answer);
            }
        }
        assertThat(leader.ready().readStates()).containsExactly(new ReadState(42, leader.commitIndex()));
    }

    @Test
    void section3_10_leadershipTransferElectsTheTarget() {
        List<RaftNode> nodes = List.of(node(0, 0, List.of()), node(1, 0, List.of()), node(2, 0, List.of()));
        RaftNode leader = electLeader(nodes);
        assertThat(leader.transferLeadership(2)).isInstanceOf(Outcome.Accepted.class);
        assertThat(leader.propose(new byte[] {1})).isInstanceOf(Outcome.Refused.class);
        settle(nodes);
        for (int t = 0; t < 10 && nodes.get(2).role() != Role.LEADER; t++) {
            leader.tick();
            settle(nodes);
        }
        assertThat(nodes.get(2).role()).isEqualTo(Role.LEADER);
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    }
}
