package io.sinkron.nodes.shard;

import java.util.List;

/**
 * Which shard a name lives in, and which members replicate each shard.
 *
 * <p>Names map to a fixed number of shards by hash, so a name never changes shard; shards map to members through the
 * {@link HashRing}: shard {@code s} sits at the ring position of {@code "shard/" + s}, and its replicas are the
 * {@code replicationFactor} distinct members clockwise from there, the first being the preferred leader. Adding a
 * member therefore moves only the shards whose successor sets it enters, and preferred leaders spread over members.
 *
 * @param ring the current membership ring
 * @param shardCount number of shards (replication groups)
 * @param replicationFactor replicas per shard (capped by the number of members)
 */
public record ShardMap(HashRing ring, int shardCount, int replicationFactor) {

    /** Upper bound on shards: each is a Raft group with its own log, timers and storage rows. */
    public static final int SHARDS_MAX = 4_096;

    public ShardMap {
        if (shardCount < 1 || shardCount > SHARDS_MAX) {
            throw new IllegalArgumentException("shardCount must be 1.." + SHARDS_MAX + ", was " + shardCount);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be positive, was " + replicationFactor);
        }
    }

    /** The shard of a lock, queue or cache key name. */
    public int shardOf(String name) {
        return (int) Math.floorMod(HashRing.hash("name/" + name), (long) shardCount);
    }

    /** The members replicating {@code shard}, preferred leader first. */
    public List<String> replicasOf(int shard) {
        if (shard < 0 || shard >= shardCount) {
            throw new IllegalArgumentException("no shard " + shard + " among " + shardCount);
        }
        return ring.successorsOf("shard/" + shard, replicationFactor);
    }
}
