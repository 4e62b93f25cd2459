package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The durable Raft state of every shard replica on this node: hard state, log entries and the latest snapshot per
 * shard. Node-wide rather than per shard so one transaction can carry the writes of many shards (group commit,
 * DESIGN.md §6).
 *
 * <p><b>Threading:</b> both methods may be called from any thread and never block the caller; the work runs on the
 * store's own I/O (the reactive PostgreSQL client's event loop, or the caller's thread for the in-memory store).
 * <b>Ordering:</b> calls for one shard must not overlap: the driver waits for a persist to complete before it issues
 * the next one for the same shard, and completes stages in call order. <b>Durability:</b> a {@link #persist} stage
 * completes only after the transaction committed (PostgreSQL's COMMIT returned with fsync on); if it fails, nothing
 * of that call may be assumed durable and the driver stops the node (Raft's promises rest on stable storage).
 * <b>Idempotency:</b> persisting the same write twice leaves the same state. <b>Errors</b> (failed stages, never
 * thrown): {@link IllegalArgumentException} when a call exceeds the store's {@link PersistLimits} or a write's entries
 * are not consecutive (nothing written); {@link IllegalStateException} when entries would leave a gap after the stored
 * log, or stored rows break the log's invariants on load (our bug: nothing written, stop the node); any other failure
 * is I/O, and after it the outcome of a persist is unknown.
 */
public interface RaftLogStore extends AutoCloseable {

    /**
     * Reads back one shard's durable state; a shard that never persisted anything gets term 0, no vote, the {@code
     * bootstrap} snapshot (index 0) and no entries.
     */
    CompletionStage<PersistentState> load(int shard, SnapshotMeta bootstrap);

    /**
     * Makes all {@code writes} durable in one transaction. For each write, in this order: the snapshot (drops every
     * entry up to its last index, or all entries when the entry at that index has another term), then the entries
     * (replacing every stored entry from the first one's index on — a conflicting suffix is truncated, Raft §5.3),
     * then the hard state. Same semantics as {@link io.sinkron.consensus.raft.RaftStorage#persist}.
     */
    CompletionStage<Void> persist(List<ShardWrite> writes);

    @Override
    void close();
}
