package io.sinkron.consensus.raft;

/**
 * The state Raft requires on stable storage before answering (Raft §5.1, Figure 2): the current term and the
 * candidate voted for in it. Together with the log, it is all that survives a crash.
 *
 * @param term the latest term this node has seen
 * @param votedFor the candidate it voted for in {@code term}, or {@link #NONE}
 */
public record HardState(long term, int votedFor) {

    /** No vote (and no leader, where a node id is expected). */
    public static final int NONE = -1;

    public HardState {
        if (term < 0 || votedFor < NONE) {
            throw new IllegalArgumentException("term=" + term + ", votedFor=" + votedFor);
        }
    }

    /** A brand-new node: term 0, no vote. */
    public static HardState initial() {
        return new HardState(0, NONE);
    }
}
