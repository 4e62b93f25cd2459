package io.sinkron.consensus.raft;

import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.Arrays;
import java.util.Objects;

/**
 * A state-machine snapshot and what it replaces (Raft §7). The bytes are opaque to the core; the array is copied in
 * and the accessor returns the same copy — callers must not modify it.
 *
 * @param meta last included index and term, and the configuration at that index
 * @param data the state machine's serialized state
 */
public record Snapshot(SnapshotMeta meta, byte[] data) {

    public Snapshot {
        Objects.requireNonNull(meta, "meta");
        data = Objects.requireNonNull(data, "data").clone();
    }

    /** The empty snapshot every node boots from. */
    public static Snapshot bootstrap(SnapshotMeta meta) {
        return new Snapshot(meta, new byte[0]);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Snapshot s && meta.equals(s.meta) && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return meta.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Snapshot[" + meta + ", " + data.length + "B]";
    }
}
