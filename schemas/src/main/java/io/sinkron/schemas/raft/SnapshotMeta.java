package io.sinkron.schemas.raft;

import java.util.Objects;

/**
 * What a snapshot replaces (Raft §7): every entry up to {@code lastIncludedIndex}, the last of which had term {@code
 * lastIncludedTerm}, and the configuration in force at that index.
 *
 * @param lastIncludedIndex index of the last entry the snapshot covers; 0 for the bootstrap snapshot
 * @param lastIncludedTerm term of that entry; 0 for the bootstrap snapshot
 * @param config the latest configuration at or before {@code lastIncludedIndex}
 */
public record SnapshotMeta(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config) {

    public SnapshotMeta {
        if (lastIncludedIndex < 0 || lastIncludedTerm < 0) {
            throw new IllegalArgumentException("negative index or term: " + lastIncludedIndex + "/" + lastIncludedTerm);
        }
        if ((lastIncludedIndex == 0) != (lastIncludedTerm == 0)) {
            throw new IllegalArgumentException(
                    "index and term are 0 together: " + lastIncludedIndex + "/" + lastIncludedTerm);
        }
        Objects.requireNonNull(config, "config");
    }

    /** The empty snapshot every node starts from: index 0, the cluster's initial configuration. */
    public static SnapshotMeta bootstrap(ClusterConfig config) {
        return new SnapshotMeta(0, 0, config);
    }
}
