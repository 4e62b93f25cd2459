package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.Role;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Liveness after the fault phase (see {@link SimConfig}). From the heal at step {@code H = faultSteps} the network
 * loses, duplicates and cuts nothing and every node is up, so Raft must make progress. A <i>leadership</i> is a pair
 * (node, term) while that node leads that term; it <i>ends</i> when the node leaves the leader role or the term, and
 * never resumes (a node wins a term at most once, Raft §5.2). The checker holds the cluster to three properties:
 *
 * <ol>
 *   <li><b>Election</b>: from {@code H + electionBoundSteps} to the end of the run, a live node leads the highest
 *       term of any live node.
 *   <li><b>Settling</b>: after {@code H} at most {@link SimConfig#leaderChangesMax()} leaderships end, and none after
 *       {@code H + electionBoundSteps}: the leader of (1) leads until the end of the run.
 *   <li><b>Commit</b>: every proposal a leader accepts at or after {@code H}, at (index, term), is applied with that
 *       term on every member of that leader's configuration within {@code commitBoundSteps} of its acceptance — as
 *       long as that leadership lasts. If the leadership ends first the proposal is <i>released</i>: Raft promises
 *       nothing for an uncommitted entry, and a successor whose log lacks it overwrites it (§5.3, §5.4.1). While the
 *       leadership lasts, an overwrite is a failure.
 * </ol>
 *
 * <p>Why leaderships may still end after the heal, while the cluster settles: (a) a leader cut off from a majority
 * until {@code H} still holds the highest term — pre-vote kept everyone else's term down (dissertation §9.6) — and its
 * check-quorum window straddles the heal, so it steps down at its next check (§6.2); (b) a pre-vote campaign begun
 * before the heal wins after another leader was elected at it, because a voter that has not yet heard the new leader
 * honours no lease (§9.6); (c) a leadership transfer begun before the heal completes (§3.10), or a configuration that
 * removes the leader commits (§4.2.2). Only proposals of a leadership that ended are released; (2) bounds how many
 * leaderships can end, and (3) holds the proposals of every other leadership — the settled leader's above all — to the
 * commit bound. Throws {@link SafetyChecker.InvariantViolation}. Package-private; single-threaded.
 */
final class LivenessChecker {

    private record Pending(int leader, long index, long term, long acceptedStep) {}

    private record Leadership(int node, long term) {}

    private final SimConfig config;
    private final CoverageCounter coverage;
    private final List<Pending> pending = new ArrayList<>();
    /** Leaderships seen since the heal and not yet ended, each with the step it was first seen. */
    private final Map<Leadership, Long> leading = new LinkedHashMap<>();

    private int leadershipsEnded;
    private boolean stableLeaderSeen;

    LivenessChecker(SimConfig config, CoverageCounter coverage) {
        this.config = config;
        this.coverage = coverage;
    }

    private boolean active(long now) {
        return now >= config.faultSteps();
    }

    private long electionDeadline() {
        return (long) config.faultSteps() + config.electionBoundSteps();
    }

    /** A proposal was accepted by {@code leader} at {@code index} in {@code term}. */
    void onAccepted(RaftNode leader, long index, long term, long now, List<RaftNode> live) {
        if (active(now) && leader.role() == Role.LEADER && leader.term() == term) {
            pending.add(new Pending(leader.id(), index, term, now));
            coverage.proposalsCheckedForLiveness++;
            // Known at once, so a leadership that ends before the next check still counts toward (2).
            leading.putIfAbsent(new Leadership(leader.id(), term), now);
        }
    }

    /** Called once per step after the fault phase. */
    void check(long now, List<RaftNode> live, SafetyChecker safety) {
        if (!active(now)) {
            return;
        }
        trackLeaderships(now, live);
        RaftNode leader = stableLeader(live);
        stableLeaderSeen |= leader != null;
        if (now >= electionDeadline() && leader == null) {
            throw new SafetyChecker.InvariantViolation("liveness: no leader of the highest term at step " + now
                    + ", " + (now - config.faultSteps()) + " steps after the faults stopped (electionBoundSteps "
                    + config.electionBoundSteps() + ")");
        }
        if (now == electionDeadline()) {
            // The leader that must lead to the end of the run (2): how long the cluster took to settle on it.
            long since = leading.getOrDefault(new Leadership(leader.id(), leader.term()), now);
            coverage.electionLatencyStepsMax =
                    Math.max(coverage.electionLatencyStepsMax, Math.max(0, since - config.faultSteps()));
        }
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            if (isSettled(it.next(), now, live, safety)) {
                it.remove();
            }
        }
    }

    /** Property (3) for one proposal; returns whether it is no longer pending. */
    private boolean isSettled(Pending p, long now, List<RaftNode> live, SafetyChecker safety) {
        RaftNode node = find(live, p.leader());
        boolean leads = node != null && node.role() == Role.LEADER && node.term() == p.term();
        LogEntry applied = safety.appliedAt(p.index());
        if (leads && applied != null && applied.term() != p.term()) {
            throw new SafetyChecker.InvariantViolation("liveness: proposal accepted at index " + p.index() + " in term "
                    + p.term() + " after the faults stopped was overwritten by " + applied + " while node "
                    + p.leader() + " still leads term " + p.term());
        }
        if (applied != null
                && applied.term() == p.term()
                && node != null
                && appliedByEveryMember(node, live, p.index())) {
            coverage.commitLatencyStepsMax = Math.max(coverage.commitLatencyStepsMax, now - p.acceptedStep());
            return true;
        }
        if (!leads) {
            coverage.proposalsReleasedByLeaderChange++; // its leadership ended first: Raft may drop it (§5.3)
            return true;
        }
        if (now - p.acceptedStep() > config.commitBoundSteps()) {
            throw new SafetyChecker.InvariantViolation("liveness: proposal accepted at index " + p.index() + " in term "
                    + p.term() + " by node " + p.leader() + ", which still leads that term, not applied on every"
                    + " member within " + config.commitBoundSteps() + " steps (commitBoundSteps)");
        }
        return false;
    }

    /** Property (2): counts the leaderships that end after the heal; none may end after the election bound. */
    private void trackLeaderships(long now, List<RaftNode> live) {
        for (Iterator<Leadership> it = leading.keySet().iterator(); it.hasNext(); ) {
            Leadership l = it.next();
            RaftNode node = find(live, l.node());
            if (node != null && node.role() == Role.LEADER && node.term() == l.term()) {
                continue;
            }
            it.remove();
            leadershipsEnded++;
            coverage.leadershipsEndedAfterHeal++;
            if (now > electionDeadline()) {
                throw new SafetyChecker.InvariantViolation("liveness: leadership did not settle: node " + l.node()
                        + " stopped leading term " + l.term() + " at step " + now + ", more than "
                        + config.electionBoundSteps() + " steps after the faults stopped (electionBoundSteps)");
            }
            if (leadershipsEnded > config.leaderChangesMax()) {
                throw new SafetyChecker.InvariantViolation("liveness: leadership did not settle: " + leadershipsEnded
                        + " leaderships ended after the faults stopped, the last node " + l.node() + " in term "
                        + l.term() + " at step " + now + " (leaderChangesMax " + config.leaderChangesMax() + ")");
            }
        }
        for (RaftNode node : live) {
            if (node.role() == Role.LEADER) {
                leading.putIfAbsent(new Leadership(node.id(), node.term()), now);
            }
        }
    }

    /**
     * At the end of the run: a stable leader was seen. Proposals still pending are younger than the bound (older ones
     * already failed in {@link #check}), so they cannot be judged.
     */
    boolean done() {
        return stableLeaderSeen;
    }

    private static boolean appliedByEveryMember(RaftNode leader, List<RaftNode> live, long index) {
        for (int member : leader.membership().members()) {
            RaftNode node = find(live, member);
            if (node == null || node.commitIndex() < index) {
                return false;
            }
        }
        return true;
    }

    static RaftNode stableLeader(List<RaftNode> live) {
        long max = maxTerm(live);
        for (RaftNode node : live) {
            if (node.role() == Role.LEADER && node.term() == max) {
                return node;
            }
        }
        return null;
    }

    private static long maxTerm(List<RaftNode> live) {
        long max = 0;
        for (RaftNode node : live) {
            max = Math.max(max, node.term());
        }
        return max;
    }

    private static RaftNode find(List<RaftNode> live, int id) {
        for (RaftNode node : live) {
            if (node.id() == id) {
                return node;
            }
        }
        return null;
    }
}
