package io.sinkron.consensus.sim;

/**
 * Deliberately broken storage for the canary runs (STYLE.md rule 18): faults injected by wrapping the store, never by
 * hooks in the core. The checkers must catch each of them.
 */
public enum StorageFault {
    /** Honest storage. */
    NONE,
    /** Acknowledges writes it loses on crash (no fsync): the last persisted entries vanish on restart. */
    LOSE_UNSYNCED_ENTRIES,
    /** Keeps the term but forgets the vote on crash (Raft §5.2 requires votedFor on stable storage). */
    FORGET_VOTE_ON_CRASH
}
