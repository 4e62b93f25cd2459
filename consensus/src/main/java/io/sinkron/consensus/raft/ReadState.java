package io.sinkron.consensus.raft;

/**
 * A linearizable read that is now safe (dissertation §6.4): once the state machine has applied {@code readIndex}, the
 * driver may answer request {@code requestId} from it.
 */
public record ReadState(long requestId, long readIndex) {}
