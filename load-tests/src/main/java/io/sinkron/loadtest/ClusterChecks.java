package io.sinkron.loadtest;

import io.sinkron.api.cluster.ClusterView;
import io.sinkron.api.cluster.MemberView;
import io.sinkron.api.cluster.ShardView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure checks over the views every node gave of the cluster ({@code GET /v1/cluster}): each returns why the cluster
 * is not yet in the wanted state, or empty when it is.
 */
final class ClusterChecks {

    private ClusterChecks() {}

    /**
     * Settled: every node answered, sees every member alive, knows a leader for every shard it replicates, and all
     * nodes name the same leader for each shard.
     *
     * @param views each node's view, by node id
     * @param nodes every node id that must have answered
     */
    static Optional<String> unsettled(Map<String, ClusterView> views, List<String> nodes) {
        Map<Integer, String> leaders = new HashMap<>();
        for (String node : nodes) {
            ClusterView view = views.get(node);
            if (view == null) {
                return Optional.of(node + " did not answer");
            }
            for (MemberView member : view.members()) {
                if (!member.alive()) {
                    return Optional.of(node + " sees " + member.id() + " as not alive");
                }
            }
            for (ShardView shard : view.shards()) {
                if (shard.leader() == null) {
                    return Optional.of(node + " knows no leader for shard " + shard.id());
                }
                String other = leaders.putIfAbsent(shard.id(), shard.leader());
                if (other != null && !other.equals(shard.leader())) {
                    return Optional.of("shard " + shard.id() + " has leader " + other + " and " + shard.leader()
                            + " on different nodes");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Caught up: on every node, every shard has applied the highest commit index any node reports for that shard, so
     * a restarted node has replayed and received everything committed while it was down.
     */
    static Optional<String> lagging(Map<String, ClusterView> views) {
        Map<Integer, Long> maxCommit = new HashMap<>();
        for (ClusterView view : views.values()) {
            for (ShardView shard : view.shards()) {
                maxCommit.merge(shard.id(), shard.commitIndex(), Math::max);
            }
        }
        for (ClusterView view : views.values()) {
            for (ShardView shard : view.shards()) {
                long wanted = Objects.requireNonNull(maxCommit.get(shard.id()));
                if (shard.appliedIndex() < wanted) {
                    return Optional.of(view.self() + " applied shard " + shard.id() + " to " + shard.appliedIndex()
                            + " of " + wanted);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Balanced: every shard is led by its preferred leader (the first of its members). Nodes hand a shard back to its
     * preferred leader a few seconds after that node returns; a kill while such a handover is under way would be timed
     * as a leadership transfer (no election timeout), not as a failover, so rounds wait for this quiet state.
     */
    static Optional<String> unbalanced(Map<String, ClusterView> views) {
        for (ClusterView view : views.values()) {
            for (ShardView shard : view.shards()) {
                String preferred =
                        shard.members().isEmpty() ? null : shard.members().getFirst();
                if (preferred != null && !preferred.equals(shard.leader())) {
                    return Optional.of(view.self() + " sees shard " + shard.id() + " led by " + shard.leader()
                            + ", not yet by its preferred leader " + preferred);
                }
            }
        }
        return Optional.empty();
    }
}
