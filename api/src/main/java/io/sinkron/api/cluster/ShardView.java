package io.sinkron.api.cluster;

import java.util.List;
import java.util.Objects;

/**
 * One shard (replication group) as the answering node sees it.
 *
 * @param id the shard number
 * @param leader the node id of the leader the answering node knows of, {@code null} if none is known
 * @param term the latest term the answering node has seen in this group
 * @param commitIndex the highest log index known to be committed
 * @param appliedIndex the highest log index applied to the state machine on the answering node
 * @param members the node ids of the group's replicas
 */
public record ShardView(int id, String leader, long term, long commitIndex, long appliedIndex, List<String> members) {

    public ShardView {
        Objects.requireNonNull(members, "members");
        members = List.copyOf(members);
    }
}
