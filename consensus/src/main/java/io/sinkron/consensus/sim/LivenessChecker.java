package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.Role;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Liveness after the fault phase (see {@link SimConfig}): a stable leader — one whose term is the highest of any live
 * node — must exist within {@link SimConfig#electionBoundSteps()} of the heal, and every proposal a stable leader
 * accepts from then on must be applied, with its own term, on every member within {@link
 * SimConfig#commitBoundSteps()}. Proposals a stale leader accepts while the cluster converges are exempt: Raft lets
 * those be overwritten (§5.3). Throws {@link SafetyChecker.InvariantViolation}. Package-private; single-threaded.
 */
final class LivenessChecker {

    private record Pending(long index, long term, long acceptedStep) {}

    private final SimConfig config;
    private final CoverageCounter coverage;
    private final List<Pending> pending = new ArrayList<>();
    private boolean stableLeaderSeen;

    LivenessChecker(SimConfig config, CoverageCounter coverage) {
        this.config = config;
        this.coverage = coverage;
    }

    private boolean active(long now) {
        return now >= config.faultSteps();
    }

    /** A proposal was accepted by {@code leader} at {@code index} in {@code term}. */
    void onAccepted(RaftNode leader, long index, long term, long now, List<RaftNode> live) {
        if (active(now) && leader.role() == Role.LEADER && leader.term() == maxTerm(live)) {
            pending.add(new Pending(index, term, now));
            coverage.proposalsCheckedForLiveness++;
        }
    }

    /** Called once per step after the fault phase. */
    void check(long now, List<RaftNode> live, SafetyChecker safety) {
        if (!active(now)) {
            return;
        }
        RaftNode leader = stableLeader(live);
        if (!stableLeaderSeen && leader != null) {
            stableLeaderSeen = true;
            coverage.electionLatencyStepsMax = Math.max(coverage.electionLatencyStepsMax, now - config.faultSteps());
        }
        if (!stableLeaderSeen && now > config.faultSteps() + config.electionBoundSteps()) {
            throw new SafetyChecker.InvariantViolation("liveness: no stable leader within "
                    + config.electionBoundSteps() + " steps after the faults stopped (electionBoundSteps)");
        }
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            LogEntry applied = safety.appliedAt(p.index());
            if (applied != null && applied.term() != p.term()) {
                throw new SafetyChecker.InvariantViolation("liveness: proposal accepted at index " + p.index()
                        + " in term " + p.term() + " after the faults stopped was overwritten by " + applied);
            }
            if (applied != null && leader != null && appliedByEveryMember(leader, live, p.index())) {
                coverage.commitLatencyStepsMax = Math.max(coverage.commitLatencyStepsMax, now - p.acceptedStep());
                it.remove();
            } else if (now - p.acceptedStep() > config.commitBoundSteps()) {
                throw new SafetyChecker.InvariantViolation("liveness: proposal accepted at index " + p.index()
                        + " in term " + p.term() + " not applied on every member within " + config.commitBoundSteps()
                        + " steps (commitBoundSteps)");
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
