package io.sinkron.api.cluster;

import java.util.List;
import java.util.Objects;

/**
 * The answer of {@code GET /v1/cluster}: how one node sees the cluster at the moment it answered.
 *
 * @param self the id of the node that answered
 * @param members every member of the static membership, the answering node included, in configuration order
 * @param shards the replication groups this node knows about (empty until shards exist)
 */
public record ClusterView(String self, List<MemberView> members, List<ShardView> shards) {

    public ClusterView {
        Objects.requireNonNull(self, "self");
        members = List.copyOf(members);
        shards = List.copyOf(shards);
    }
}
