package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.StateMachine;
import java.util.List;

/**
 * What the services of a shard ask of the driver, called on the driver thread only (never block, never propose from
 * here other than by returning commands).
 */
public interface ShardHooks {

    /** Nothing to do: for tests and services without duties. */
    ShardHooks NONE = new ShardHooks() {
        @Override
        public void afterApply(int shard, StateMachine machine) {}

        @Override
        public List<byte[]> leaderDuties(int shard, StateMachine machine, boolean newTerm, long nowMs) {
            return List.of();
        }
    };

    /** Committed entries were applied to {@code machine} (on every replica, leader or not): drain its events. */
    void afterApply(int shard, StateMachine machine);

    /**
     * Called every tick while this replica leads the shard: the commands the leader should propose now (e.g. a new
     * term's announcement when {@code newTerm}, or a clock tick when a deadline passed). {@code nowMs} is this node's
     * wall clock; it enters the log inside the commands, so replicas never read a clock themselves.
     */
    List<byte[]> leaderDuties(int shard, StateMachine machine, boolean newTerm, long nowMs);
}
