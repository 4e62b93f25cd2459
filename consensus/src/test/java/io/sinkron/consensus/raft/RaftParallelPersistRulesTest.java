package io.sinkron.consensus.raft;

// Proves the rules of parallel leader persistence (dissertation §10.2.1) one by one, driving nodes by hand: a leader
// sends AppendEntries before its persist once its term is durable, and counts itself toward commit only up to what
// RaftNode#persisted reported; a single voter commits once its own log is durable.

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesRequest;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RaftParallelPersistRulesTest {

    private static final RaftConfig PARALLEL =
            RaftConfig.defaults().withTimeouts(10, 2).withLeaderPersistsInParallel(true);
    private static final byte[] X = "X".getBytes(StandardCharsets.UTF_8);

    private static RaftNode node(int id, ClusterConfig members) {
        Snapshot boot = Snapshot.bootstrap(SnapshotMeta.bootstrap(members));
        return new RaftNode(
                id, PARALLEL, new SplittableRandom(id), new PersistentState(new HardState(0, -1), boot, List.of()));
    }

    /** A synchronous driver without storage: early messages, persist (reported), then the rest. */
    private static List<RaftMessage> handle(RaftNode n) {
        List<RaftMessage> out = new ArrayList<>();
        for (Ready ready = n.ready(); !ready.isEmpty(); ready = n.ready()) {
            out.addAll(ready.messagesBeforePersist());
            if (!ready.entriesToPersist().isEmpty()) {
                LogEntry last = ready.entriesToPersist().getLast();
                n.persisted(last.index(), last.term());
            }
            out.addAll(ready.messages());
        }
        return out;
    }

    private static RaftNode electFirst(List<RaftNode> nodes) {
        for (int tick = 0; tick < 100 && nodes.getFirst().role() != Role.LEADER; tick++) {
            nodes.getFirst().tick();
            List<RaftMessage> queue = new ArrayList<>(handle(nodes.getFirst()));
            for (int guard = 0; !queue.isEmpty() && guard < 10_000; guard++) {
                RaftMessage m = queue.removeFirst();
                RaftNode target = nodes.get(m.to());
                target.step(m);
                queue.addAll(handle(target));
            }
        }
        assertThat(nodes.getFirst().role()).isEqualTo(Role.LEADER);
        return nodes.getFirst();
    }

    @Test
    void singleVoterCommitsOnlyOnceItsOwnLogIsDurable() {
        RaftNode solo = node(0, ClusterConfig.ofVoters(Set.of(0)));
        for (int tick = 0; tick < 100 && solo.role() != Role.LEADER; tick++) {
            solo.tick();
        }
        assertThat(solo.role()).isEqualTo(Role.LEADER);
        Ready ready = solo.ready();
        LogEntry noop = ready.entriesToPersist().getLast();
        assertThat(solo.commitIndex()).as("not durable yet").isZero();

        solo.persisted(noop.index(), noop.term() + 1); // another entry than the one in the log: ignored
        solo.persisted(noop.index() + 1, noop.term()); // past the end: ignored
        assertThat(solo.commitIndex()).isZero();

        solo.persisted(noop.index(), noop.term());
        assertThat(solo.commitIndex()).isEqualTo(noop.index());
        assertThat(solo.ready().committedEntries()).containsExactly(noop);
    }

    @Test
    void leaderSendsAppendsBeforeItsPersistButCountsOnlyItsDurableLog() {
        ClusterConfig three = ClusterConfig.ofVoters(Set.of(0, 1, 2));
        List<RaftNode> nodes = List.of(node(0, three), node(1, three), node(2, three));
        RaftNode leader = electFirst(nodes);
        long committed = leader.commitIndex();
        assertThat(committed).as("the no-op commits").isEqualTo(leader.lastIndex());

        assertThat(leader.propose(X)).isInstanceOf(Outcome.Accepted.class);
        Ready ready = leader.ready();
        LogEntry x = ready.entriesToPersist().getLast();
        assertThat(ready.messagesBeforePersist()).hasSize(2).allSatisfy(m -> assertThat(
                        ((AppendEntriesRequest) m).entries())
                .contains(x));
        assertThat(ready.messages()).isEmpty();

        RaftNode follower = nodes.get(1);
        follower.step(ready.messagesBeforePersist().stream()
                .filter(m -> m.to() == 1)
                .findFirst()
                .orElseThrow());
        for (RaftMessage answer : handle(follower)) {
            leader.step(answer);
        }
        assertThat(leader.commitIndex())
                .as("one follower has it on disk, the leader not yet: no majority")
                .isEqualTo(committed);

        leader.persisted(x.index(), x.term());
        assertThat(leader.commitIndex()).isEqualTo(x.index());
    }

    @Test
    void aNewLeaderKeepsAppendsBehindThePersistUntilItsTermIsDurable() {
        ClusterConfig three = ClusterConfig.ofVoters(Set.of(0, 1, 2));
        RaftNode candidate = node(0, three);
        for (int tick = 0; tick < 100 && candidate.role() != Role.CANDIDATE; tick++) {
            candidate.tick();
            for (RaftMessage m : candidate.ready().messages()) {
                if (m instanceof RaftMessage.PreVoteRequest request) {
                    candidate.step(new RaftMessage.PreVoteResponse(m.to(), 0, request.term(), true));
                }
            }
        }
        candidate.ready();
        candidate.step(new RaftMessage.VoteResponse(1, 0, candidate.term(), true));
        assertThat(candidate.role()).isEqualTo(Role.LEADER);

        Ready first = candidate.ready();
        assertThat(first.messagesBeforePersist()).isEmpty();
        assertThat(first.messages()).hasSize(2).allMatch(m -> m instanceof AppendEntriesRequest);
    }
}
