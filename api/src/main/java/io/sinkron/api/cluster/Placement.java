package io.sinkron.api.cluster;

import java.util.List;
import java.util.Objects;

/**
 * Where a name (a lock, a queue, a cache key) lives: its shard, the shard's replicas and the leader the answering
 * node knows of.
 *
 * @param name the name asked about
 * @param shard the shard the name hashes to
 * @param replicas the node ids of the shard's replicas, preferred leader first
 * @param leader the node id of the shard's current leader as the answering node knows it, {@code null} if none is
 *     known (or the answering node holds no replica of the shard)
 */
public record Placement(String name, int shard, List<String> replicas, String leader) {

    public Placement {
        Objects.requireNonNull(name, "name");
        replicas = List.copyOf(Objects.requireNonNull(replicas, "replicas"));
    }
}
