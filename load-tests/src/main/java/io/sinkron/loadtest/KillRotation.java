package io.sinkron.loadtest;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which node a failover round should try to kill: never the one killed last round (it has just restarted and usually
 * leads nothing), and among the others the one killed least often, ties broken by membership order, so kills rotate
 * over the nodes.
 */
final class KillRotation {

    private KillRotation() {}

    /**
     * @param nodes node ids in membership order
     * @param kills how often each node was killed so far (absent means never)
     * @param lastKilled the node killed last round, or {@code null} before the first
     * @return the preferred victim; empty only when {@code lastKilled} is the sole node
     */
    static Optional<String> preferred(List<String> nodes, Map<String, Integer> kills, String lastKilled) {
        return nodes.stream()
                .filter(n -> !n.equals(lastKilled))
                .min(Comparator.comparingInt((String n) -> kills.getOrDefault(n, 0))
                        .thenComparingInt(nodes::indexOf));
    }

    /** The entry node of a round: one of the nodes other than the leader, alternating between rounds. */
    static String entry(List<String> nodes, String leader, int round) {
        List<String> others = nodes.stream().filter(n -> !n.equals(leader)).toList();
        if (others.isEmpty()) {
            throw new IllegalArgumentException("no node other than the leader " + leader);
        }
        return others.get(Math.floorMod(round, others.size()));
    }
}
