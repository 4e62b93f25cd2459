package io.sinkron.consensus.raft;

/** A node's role (Raft §5.1, plus the pre-vote phase of dissertation §9.6). */
public enum Role {
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
