package io.sinkron.consensus.raft;

import io.sinkron.schemas.raft.LogEntry;

/**
 * The replicated service (SPI), driven with committed entries only.
 *
 * <p><b>Threading:</b> called by the node's owning thread, never concurrently. <b>Blocking:</b> should not block;
 * {@link #snapshot} may be slow for large states. <b>Ordering:</b> {@link #apply} sees every committed entry exactly
 * once per incarnation, in index order, starting after the last restored snapshot. <b>Determinism:</b> {@link #apply}
 * must be a function of the state and the entry only (no clock, no randomness), so every replica computes the same
 * result (Raft §5.4.3, state-machine safety). <b>Errors:</b> a command the service rejects is a normal result, not an
 * exception; an exception means a bug and stops the node.
 */
public interface StateMachine {

    /**
     * Applies one committed entry and returns the answer for the client that proposed it (empty for no-ops and
     * configuration entries).
     */
    byte[] apply(LogEntry entry);

    /** Serializes the whole state as of the last applied entry. */
    byte[] snapshot();

    /** Replaces the whole state with {@code snapshot}'s. */
    void restore(Snapshot snapshot);

    /** The index of the last applied entry (or restored snapshot). */
    long appliedIndex();
}
