package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** What reaches the driver thread through its bounded queue. */
sealed interface DriverInput {

    /** Logical time passed; the driver reads how many ticks from the ticker's counter. */
    record Tick() implements DriverInput {}

    /** A message from a peer for one local replica. */
    record Inbound(int shard, RaftMessage message) implements DriverInput {}

    /** A client command for one shard. */
    record Propose(int shard, byte[] command, CompletableFuture<RaftReply> reply) implements DriverInput {}

    /**
     * A read of one shard's state machine, run on the driver thread: once safe (ReadIndex) when {@code linearizable},
     * else at once on whatever this replica applied so far (any role; may be stale).
     */
    record Read(
            int shard, Function<StateMachine, byte[]> query, boolean linearizable, CompletableFuture<RaftReply> reply)
            implements DriverInput {}

    /** The group commit in flight completed (a wake-up; the driver looks at the commit itself). */
    record Persisted() implements DriverInput {}

    /** Stop the loop. */
    record Stop() implements DriverInput {}
}
