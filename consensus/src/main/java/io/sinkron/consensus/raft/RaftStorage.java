package io.sinkron.consensus.raft;

import io.sinkron.schemas.raft.LogEntry;
import java.io.IOException;
import java.util.List;

/**
 * Stable storage for one node (SPI). The driver calls it; the core never does.
 *
 * <p><b>Threading:</b> called by the one thread that owns the node; implementations need no locking for that use.
 * <b>Blocking:</b> {@link #persist} blocks until the data is durable (fsync or equivalent) — Raft's safety rests on
 * it (§5.1: "updated on stable storage before responding to RPCs"). <b>Ordering:</b> within one call, the snapshot is
 * applied first, then the entries, then the hard state; a crash may leave any prefix of that sequence durable, so
 * implementations must make each step atomic on its own. <b>Idempotency:</b> persisting the same arguments twice is
 * harmless. <b>Errors:</b> {@link IOException} if durability cannot be guaranteed; the driver must then stop the node
 * (never send the batch's messages).
 */
public interface RaftStorage {

    /** Reads back what was durable; a node that never persisted anything gets its bootstrap state. */
    PersistentState load() throws IOException;

    /**
     * Makes the three parts of a {@link Ready} durable.
     *
     * @param snapshot if not null: becomes the latest snapshot; every stored entry up to its last index is dropped,
     *     and if the stored entry at that index has another term (or is absent) every stored entry is dropped
     * @param entries if not empty: replaces every stored entry from {@code entries.get(0).index()} on (a conflicting
     *     suffix is truncated, Raft §5.3), then appends them
     * @param hardState if not null: replaces the stored term and vote
     */
    void persist(Snapshot snapshot, List<LogEntry> entries, HardState hardState) throws IOException;
}
