package io.sinkron.consensus.raft.quorum;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** Majority arithmetic over a set of voters (Raft §5.2, §5.3). Pure functions; no state. */
public final class Quorum {

    private Quorum() {}

    /** Votes needed among {@code voterCount} voters; 1 for zero voters so nothing is decided by nobody. */
    public static int majority(int voterCount) {
        return voterCount / 2 + 1;
    }

    /**
     * The highest index stored on a majority of {@code voters}, given each voter's match index (missing = 0). Raft
     * §5.3: the leader may commit up to this index (subject to the current-term rule of §5.4.2, checked by the
     * caller). Returns 0 for an empty voter set.
     */
    public static long committedIndex(Set<Integer> voters, Map<Integer, Long> matchIndex) {
        if (voters.isEmpty()) {
            return 0;
        }
        long[] matches = new long[voters.size()];
        int i = 0;
        for (int voter : voters) {
            matches[i++] = matchIndex.getOrDefault(voter, 0L);
        }
        Arrays.sort(matches);
        // Sorted ascending, the value at position (n - majority) is held by at least `majority` voters.
        return matches[voters.size() - majority(voters.size())];
    }

    /** The outcome of counting votes: won with a majority of grants, lost with a majority of rejections, or open. */
    public enum VoteOutcome {
        WON,
        LOST,
        PENDING
    }

    /** Tallies {@code votes} (voter id to granted) of the {@code voters}; votes of non-voters do not count. */
    public static VoteOutcome tally(Set<Integer> voters, Map<Integer, Boolean> votes) {
        int granted = 0;
        int rejected = 0;
        for (int voter : voters) {
            Boolean vote = votes.get(voter);
            if (vote == null) {
                continue;
            }
            if (vote) {
                granted++;
            } else {
                rejected++;
            }
        }
        int needed = majority(voters.size());
        if (granted >= needed) {
            return VoteOutcome.WON;
        }
        return rejected > voters.size() - needed ? VoteOutcome.LOST : VoteOutcome.PENDING;
    }
}
