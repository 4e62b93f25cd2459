package io.sinkron.consensus.raft;

/**
 * How a leader decides that an entry is committed. Package-private on purpose: the public API only ever builds nodes
 * with {@link #CURRENT_TERM_ONLY}; the broken rule exists so a canary test in this package can prove the simulation's
 * checkers catch a Figure 8 violation, or a leader counting entries not yet on its own disk (STYLE.md rule 18).
 */
enum CommitRule {
    /** Raft §5.4.2: an entry commits by counting replicas only if it is from the leader's current term. */
    CURRENT_TERM_ONLY,
    /** Canary, deliberately wrong: any entry stored on a majority commits, whatever its term (Raft Figure 8). */
    ANY_TERM_BY_COUNTING,
    /**
     * Canary, deliberately wrong with {@link RaftConfig#leaderPersistsInParallel()}: the leader sends AppendEntries
     * before its persist yet counts its whole log toward commitment, durable or not (dissertation §10.2.1 forbids it).
     */
    COUNT_UNPERSISTED_SELF
}
