package io.sinkron.nodes.raft;

import io.sinkron.api.cluster.ShardView;
import io.sinkron.consensus.raft.Role;
import java.util.List;
import java.util.Map;

/**
 * What the driver thread last published about the local replicas: immutable, swapped as one volatile reference each
 * loop, so HTTP requests and metrics read it without locks.
 *
 * @param shards local replicas by shard id
 */
public record RaftView(Map<Integer, ShardStatus> shards) {

    /** Before start-up finished: no shards. */
    static final RaftView EMPTY = new RaftView(Map.of());

    public RaftView {
        shards = Map.copyOf(shards);
    }

    /**
     * One local replica.
     *
     * @param view the API view (id, leader, term, commit, applied, members)
     * @param role this replica's role
     * @param proposals proposals this replica accepted as leader since start
     * @param snapshotIndex the last index covered by this replica's latest snapshot (0: none yet)
     */
    public record ShardStatus(ShardView view, Role role, long proposals, long snapshotIndex) {}

    /** The shard views in shard order. */
    public List<ShardView> shardViews() {
        return shards.values().stream()
                .map(ShardStatus::view)
                .sorted(java.util.Comparator.comparingInt(ShardView::id))
                .toList();
    }

    /** The leader this node knows for {@code shard}, or null. */
    public String leaderOf(int shard) {
        ShardStatus status = shards.get(shard);
        return status == null ? null : status.view().leader();
    }
}
