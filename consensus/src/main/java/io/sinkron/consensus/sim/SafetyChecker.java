package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.Role;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Raft's safety properties (Raft §5.2, §5.3, §5.4, Figure 3), checked continuously while the simulation runs. Each
 * violation throws {@link InvariantViolation} at once, naming the property and the evidence.
 *
 * <ul>
 *   <li><b>Election safety</b>: at most one leader per term — every leader ever seen is remembered by term.
 *   <li><b>State-machine safety</b>: every node applies the same entry at each index — the first applied entry per
 *       index is remembered and every later apply compared with it. This also catches a committed entry lost after a
 *       crash (a different entry would later be applied at its index).
 *   <li><b>No committed entry lost</b> (direct): after every restart and at the end, every entry ever applied is
 *       still held — in the log or under a snapshot — by a majority of the persisted stores of the committed
 *       configuration's voters (or of a newer stored configuration's), and no live node's log holds anything else at
 *       an index up to its commit index.
 *   <li><b>Leader completeness</b>: when a node becomes leader, its log holds every entry applied anywhere (beyond
 *       its own snapshot).
 *   <li><b>Log matching</b>: for any two live nodes, if their logs have an entry with the same index and term, the
 *       logs are identical up to it (checked over the overlap of what both still hold).
 * </ul>
 */
final class SafetyChecker {

    /** A safety property failed. */
    static final class InvariantViolation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvariantViolation(String message) {
            super(message);
        }
    }

    private final Map<Long, Integer> leaderByTerm = new HashMap<>();
    private final Map<Long, LogEntry> applied = new HashMap<>();
    private long maxApplied;

    /** Call after every input to {@code node}. */
    void afterStep(RaftNode node) {
        if (node.role() != Role.LEADER) {
            return;
        }
        Integer previous = leaderByTerm.putIfAbsent(node.term(), node.id());
        if (previous == null) {
            checkLeaderCompleteness(node);
        } else if (previous != node.id()) {
            throw new InvariantViolation("election safety: nodes " + previous + " and " + node.id()
                    + " both leaders in term " + node.term());
        }
    }

    /** Records an apply; returns whether it was the first apply of that index anywhere. */
    boolean onApply(int nodeId, LogEntry entry) {
        LogEntry first = applied.putIfAbsent(entry.index(), entry);
        if (first != null && !first.equals(entry)) {
            throw new InvariantViolation("state-machine safety: node " + nodeId + " applied " + entry + " at index "
                    + entry.index() + " where " + first + " was applied before");
        }
        maxApplied = Math.max(maxApplied, entry.index());
        return first == null;
    }

    /**
     * No committed entry lost after a crash/restart (Raft §5.4, via §5.1's durability): see the class comment.
     * {@code committedVoters} are the voters of the latest configuration applied anywhere.
     */
    void checkCommittedDurable(List<SimNode> nodes, Set<Integer> committedVoters) {
        List<Set<Integer>> configs = new ArrayList<>();
        configs.add(committedVoters);
        for (SimNode node : nodes) {
            configs.add(node.storage.latestVoters());
        }
        for (LogEntry committed : applied.values()) {
            Set<Integer> holders = new HashSet<>();
            for (SimNode node : nodes) {
                if (node.storage.snapshotIndex() >= committed.index()
                        || committed.equals(node.storage.entryAt(committed.index()))) {
                    holders.add(node.id);
                }
            }
            if (configs.stream().noneMatch(voters -> heldByMajority(voters, holders))) {
                throw new InvariantViolation("durability: committed " + committed + " is held only by the stores of "
                        + holders + ", no majority of the voters " + committedVoters);
            }
        }
        for (SimNode node : nodes) {
            if (node.isUp()) {
                checkCommittedPrefix(node.raft);
            }
        }
    }

    private static boolean heldByMajority(Set<Integer> voters, Set<Integer> holders) {
        long held = voters.stream().filter(holders::contains).count();
        return !voters.isEmpty() && held >= voters.size() / 2 + 1;
    }

    private void checkCommittedPrefix(RaftNode node) {
        long high = Math.min(node.commitIndex(), node.lastIndex());
        for (long i = node.snapshotIndex() + 1; i <= high; i++) {
            LogEntry committed = applied.get(i);
            if (committed != null && !committed.equals(node.entryAt(i))) {
                throw new InvariantViolation("durability: node " + node.id() + " holds " + node.entryAt(i)
                        + " at committed index " + i + " where " + committed + " was applied");
            }
        }
    }

    private void checkLeaderCompleteness(RaftNode leader) {
        for (long i = leader.snapshotIndex() + 1; i <= maxApplied; i++) {
            LogEntry committed = applied.get(i);
            if (committed == null) {
                continue; // applied only via a snapshot somewhere; covered by state-machine safety later
            }
            if (i > leader.lastIndex() || leader.termAt(i) != committed.term()) {
                throw new InvariantViolation("leader completeness: node " + leader.id() + " leads term " + leader.term()
                        + " without committed entry " + committed);
            }
        }
    }

    void checkLogMatching(List<RaftNode> live) {
        for (int a = 0; a < live.size(); a++) {
            for (int b = a + 1; b < live.size(); b++) {
                checkPair(live.get(a), live.get(b));
            }
        }
    }

    private static void checkPair(RaftNode x, RaftNode y) {
        long low = Math.max(x.snapshotIndex(), y.snapshotIndex()) + 1;
        long high = Math.min(x.lastIndex(), y.lastIndex());
        long matchAt = -1;
        for (long i = high; i >= low; i--) {
            if (x.termAt(i) == y.termAt(i)) {
                matchAt = i;
                break;
            }
        }
        for (long i = low; i <= matchAt; i++) {
            if (!Objects.equals(x.entryAt(i), y.entryAt(i))) {
                throw new InvariantViolation("log matching: nodes " + x.id() + " and " + y.id() + " agree at index "
                        + matchAt + " (term " + x.termAt(matchAt) + ") but differ at " + i + ": " + x.entryAt(i)
                        + " vs " + y.entryAt(i));
            }
        }
    }

    long maxApplied() {
        return maxApplied;
    }

    LogEntry appliedAt(long index) {
        return applied.get(index);
    }
}
