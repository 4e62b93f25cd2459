package io.sinkron.consensus.raft;

// Proves the rules beyond the paper's core one by one (tests named after the section): Raft §7 InstallSnapshot,
// dissertation §4.1/§4.2 membership and §3.10 transfer to a lagging target — nodes driven by hand over a filtered net.

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotRequest;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotResponse;
import io.sinkron.schemas.raft.RaftMessage.TimeoutNowRequest;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class RaftSnapshotMembershipRulesTest {

    private static final ClusterConfig THREE = ClusterConfig.ofVoters(Set.of(0, 1, 2));
    /** Tiny snapshot chunks, learners promoted only when fully caught up. */
    private static final RaftConfig CONFIG =
            new RaftConfig(10, 2, 256, 1 << 20, 8, 10_000, 1_024, 4, 1L << 20, 10_000, 0);

    /** Nodes 0..2 are voters; node 3, if asked for, is a spare that knows no cluster. */
    private static final class Net {
        final List<RaftNode> nodes = new ArrayList<>();
        final List<RaftMessage> seen = new ArrayList<>();
        final List<Ready> readies = new ArrayList<>();
        Predicate<RaftMessage> allowed = m -> true;

        Net(int count) {
            for (int id = 0; id < count; id++) {
                ClusterConfig initial = id < 3 ? THREE : ClusterConfig.empty();
                Snapshot boot = Snapshot.bootstrap(SnapshotMeta.bootstrap(initial));
                nodes.add(new RaftNode(
                        id,
                        CONFIG,
                        new SplittableRandom(id),
                        new PersistentState(HardState.initial(), boot, List.of())));
            }
        }

        RaftNode node(int id) {
            return nodes.get(id);
        }

        /** Delivers allowed messages until quiet; the others are lost. */
        void settle() {
            List<RaftMessage> queue = new ArrayList<>();
            for (RaftNode n : nodes) {
                queue.addAll(drain(n));
            }
            for (int guard = 0; !queue.isEmpty() && guard < 100_000; guard++) {
                RaftMessage m = queue.removeFirst();
                if (allowed.test(m)) {
                    seen.add(m);
                    nodes.get(m.to()).step(m);
                    queue.addAll(drain(nodes.get(m.to())));
                }
            }
        }

        /** Takes a Ready as a driver would: compacting when due is left to the tests. */
        private List<RaftMessage> drain(RaftNode n) {
            Ready ready = n.ready();
            readies.add(ready);
            return ready.messages();
        }

        RaftNode electZero() {
            for (int tick = 0; tick < 100 && node(0).role() != Role.LEADER; tick++) {
                node(0).tick();
                settle();
            }
            assertThat(node(0).role()).isEqualTo(Role.LEADER);
            return node(0);
        }

        void tickLeader(int times) {
            for (int t = 0; t < times; t++) {
                node(0).tick();
                settle();
            }
        }

        long installs(int id) {
            return readies.stream()
                    .filter(r -> r.snapshotToInstall() != null)
                    .filter(r -> r.messages().stream().anyMatch(m -> m.from() == id))
                    .count();
        }
    }

    private static Predicate<RaftMessage> cutOff(int id) {
        return m -> m.from() != id && m.to() != id;
    }

    private static void proposeAndSettle(Net net, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(net.node(0).propose(new byte[] {(byte) i})).isInstanceOf(Outcome.Accepted.class);
        }
        net.settle();
    }

    @Test
    void section7_followerBehindTheCompactionPointInstallsChunksThenContinues() {
        Net net = new Net(3);
        RaftNode leader = net.electZero();
        net.allowed = cutOff(2);
        proposeAndSettle(net, 5);
        long snapshotIndex = leader.commitIndex();
        leader.compact(snapshotIndex, "0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(leader.snapshotIndex()).isEqualTo(snapshotIndex);

        net.allowed = m -> true;
        net.tickLeader(CONFIG.heartbeatTicks());
        proposeAndSettle(net, 1);
        net.tickLeader(CONFIG.heartbeatTicks());

        long chunks = net.seen.stream()
                .filter(m -> m instanceof InstallSnapshotRequest r && r.to() == 2)
                .count();
        assertThat(chunks).as("10 bytes in 4-byte chunks").isGreaterThanOrEqualTo(3);
        assertThat(net.installs(2)).isEqualTo(1);
        RaftNode follower = net.node(2);
        assertThat(follower.snapshotIndex()).isEqualTo(snapshotIndex);
        assertThat(follower.lastIndex()).isEqualTo(snapshotIndex + 1); // continued at lastIncludedIndex + 1
        assertThat(follower.commitIndex()).isEqualTo(leader.commitIndex());
    }

    @Test
    void section7_staleOrDuplicateChunksAreIgnored() {
        RaftNode follower = new Net(3).node(1);
        SnapshotMeta meta = new SnapshotMeta(5, 1, THREE);
        byte[] part = {1, 2, 3, 4};
        follower.step(new InstallSnapshotRequest(0, 1, 1, meta, 0, part, false));
        assertThat(follower.ready().messages()).containsExactly(new InstallSnapshotResponse(1, 0, 1, 5, 4, false));
        follower.step(new InstallSnapshotRequest(0, 1, 1, meta, 8, part, false)); // a gap: answered, not taken
        assertThat(follower.ready().messages()).containsExactly(new InstallSnapshotResponse(1, 0, 1, 5, 4, false));
        follower.step(new InstallSnapshotRequest(0, 1, 1, meta, 4, part, true));
        Ready installed = follower.ready();
        assertThat(installed.snapshotToInstall()).isNotNull();
        assertThat(installed.snapshotToInstall().data()).containsExactly(1, 2, 3, 4, 1, 2, 3, 4);
        assertThat(follower.commitIndex()).isEqualTo(5);

        follower.step(new InstallSnapshotRequest(0, 1, 1, meta, 4, part, true)); // duplicate of the last chunk
        Ready duplicate = follower.ready();
        assertThat(duplicate.snapshotToInstall()).isNull();
        assertThat(duplicate.snapshotToPersist()).isNull();

        SnapshotMeta older = new SnapshotMeta(3, 1, THREE);
        follower.step(new InstallSnapshotRequest(0, 1, 1, older, 0, part, true)); // stale: at or below commit
        Ready stale = follower.ready();
        assertThat(stale.snapshotToInstall()).isNull();
        assertThat(stale.messages()).containsExactly(new InstallSnapshotResponse(1, 0, 1, 3, 0, true));
        assertThat(follower.snapshotIndex()).isEqualTo(5);
    }

    @Test
    void section4_2_1_learnerIsPromotedOnlyAfterCatchingUp() {
        Net net = new Net(4);
        RaftNode leader = net.electZero();
        net.allowed = cutOff(3);
        proposeAndSettle(net, 3);
        ClusterConfig withLearner = new ClusterConfig(Set.of(0, 1, 2), Set.of(3));
        assertThat(leader.changeMembership(withLearner)).isInstanceOf(Outcome.Accepted.class);
        net.settle();
        ClusterConfig promoted = ClusterConfig.ofVoters(Set.of(0, 1, 2, 3));
        assertThat(leader.changeMembership(promoted))
                .isInstanceOf(Outcome.Refused.class)
                .asString()
                .contains("caught up");

        net.allowed = m -> true;
        net.tickLeader(CONFIG.heartbeatTicks());
        assertThat(net.node(3).lastIndex()).isEqualTo(leader.lastIndex());
        assertThat(net.node(3).membership().isLearner(3)).isTrue();
        assertThat(leader.changeMembership(promoted)).isInstanceOf(Outcome.Accepted.class);
        net.settle();
        assertThat(net.node(3).membership().isVoter(3)).isTrue();
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
    }

    @Test
    void section4_1_atMostOnePendingConfigurationChange() {
        Net net = new Net(4);
        RaftNode leader = net.electZero();
        assertThat(leader.changeMembership(new ClusterConfig(Set.of(0, 1, 2), Set.of(3))))
                .isInstanceOf(Outcome.Accepted.class);
        assertThat(leader.changeMembership(ClusterConfig.ofVoters(Set.of(0, 1))))
                .isInstanceOf(Outcome.Refused.class)
                .asString()
                .contains("not committed yet");
        net.settle();
        assertThat(leader.changeMembership(ClusterConfig.ofVoters(Set.of(0, 1))))
                .as("allowed once the first change committed")
                .isInstanceOf(Outcome.Accepted.class);
    }

    @Test
    void section4_2_2_removedLeaderStepsDownOnceTheRemovalCommits() {
        Net net = new Net(3);
        RaftNode leader = net.electZero();
        assertThat(leader.changeMembership(ClusterConfig.ofVoters(Set.of(1, 2))))
                .isInstanceOf(Outcome.Accepted.class);
        assertThat(leader.role())
                .as("still leading while the removal is uncommitted")
                .isEqualTo(Role.LEADER);
        net.settle();
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.node(1).membership().voters()).containsExactly(1, 2);
    }

    @Test
    void section3_10_transferToALaggingTargetCatchesItUpFirst() {
        Net net = new Net(3);
        RaftNode leader = net.electZero();
        net.allowed = cutOff(2);
        proposeAndSettle(net, 4);
        assertThat(net.node(2).lastIndex()).isLessThan(leader.lastIndex());

        assertThat(leader.transferLeadership(2)).isInstanceOf(Outcome.Accepted.class);
        net.settle();
        assertThat(net.seen).noneMatch(m -> m instanceof TimeoutNowRequest);

        long leaderLast = leader.lastIndex();
        long[] targetLastAtTimeoutNow = {-1};
        net.allowed = m -> {
            if (m instanceof TimeoutNowRequest && targetLastAtTimeoutNow[0] < 0) {
                targetLastAtTimeoutNow[0] = net.node(2).lastIndex();
            }
            return true;
        };
        net.tickLeader(4 * CONFIG.heartbeatTicks()); // within the election timeout that would abort the transfer
        assertThat(targetLastAtTimeoutNow[0])
                .as("TimeoutNow only once the target has the whole log")
                .isEqualTo(leaderLast);
        assertThat(net.node(2).role()).isEqualTo(Role.LEADER);
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    }
}
