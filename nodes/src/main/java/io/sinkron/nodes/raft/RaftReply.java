package io.sinkron.nodes.raft;

/**
 * How a request handed to {@link RaftHost} ended. Expected outcomes only (STYLE.md rule 10): bugs and I/O failures
 * stop the node instead.
 */
public sealed interface RaftReply {

    /** The proposal applied (or the read was served) on this node; {@code result} is the state machine's answer. */
    record Done(byte[] result) implements RaftReply {}

    /**
     * This node does not lead the shard; {@code leader} is the node id it believes leads it, or null while none is
     * known (an election is running). Nothing was appended.
     */
    record NotLeader(String leader) implements RaftReply {}

    /**
     * Refused or abandoned ({@code reason} says which): a limit was hit, or leadership was lost before the entry
     * committed. {@code retrySafe} tells whether resending the same request cannot apply it twice.
     */
    record Unavailable(String reason, boolean retrySafe) implements RaftReply {}
}
