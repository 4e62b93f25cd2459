package io.sinkron.schemas.raft;

import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A cluster membership: the voters whose majority decides elections and commitment, and the learners that receive the
 * log but never vote (Raft dissertation §4.2.1). The sets are sorted so iteration, and therefore everything derived
 * from it (message order, encoded bytes), is deterministic.
 *
 * @param voters node ids that vote; may be empty only for a node that has not yet learned its cluster
 * @param learners node ids that replicate without voting; disjoint from {@code voters}
 */
public record ClusterConfig(Set<Integer> voters, Set<Integer> learners) {

    /** The most members one configuration may name; a bound on every decoded set (STYLE.md rule 12). */
    public static final int MAX_MEMBERS = 255;

    public ClusterConfig {
        voters = sortedCopy(voters);
        learners = sortedCopy(learners);
        if (voters.size() + learners.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("more than " + MAX_MEMBERS + " members: " + voters + " " + learners);
        }
        for (Integer learner : learners) {
            if (voters.contains(learner)) {
                throw new IllegalArgumentException("node " + learner + " is both voter and learner");
            }
        }
    }

    /** The configuration of a node that knows no cluster yet (a fresh joiner waiting for the leader's snapshot). */
    public static ClusterConfig empty() {
        return new ClusterConfig(Set.of(), Set.of());
    }

    /** A configuration with only voters. */
    public static ClusterConfig ofVoters(Set<Integer> voters) {
        return new ClusterConfig(voters, Set.of());
    }

    public boolean isVoter(int id) {
        return voters.contains(id);
    }

    public boolean isLearner(int id) {
        return learners.contains(id);
    }

    /** Voters and learners, sorted. */
    public SortedSet<Integer> members() {
        TreeSet<Integer> all = new TreeSet<>(voters);
        all.addAll(learners);
        return Collections.unmodifiableSortedSet(all);
    }

    /** Votes needed for a majority of the voters (Raft §5.2); 1 for an empty set so nothing is decided by nobody. */
    public int quorumSize() {
        return voters.size() / 2 + 1;
    }

    private static SortedSet<Integer> sortedCopy(Set<Integer> ids) {
        TreeSet<Integer> copy = new TreeSet<>();
        for (Integer id : ids) {
            if (id == null || id < 0) {
                throw new IllegalArgumentException("node ids are non-negative, got " + id);
            }
            copy.add(id);
        }
        return Collections.unmodifiableSortedSet(copy);
    }
}
