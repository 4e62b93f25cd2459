package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.RaftNode;
import java.util.random.RandomGenerator;

/**
 * Builds the {@link RaftNode} a simulated server boots (and reboots) with. The default is the public constructor;
 * canary tests inside {@code io.sinkron.consensus.raft} pass a factory that builds a deliberately broken variant, so
 * no public hook into the core is needed (STYLE.md rule 4).
 */
@FunctionalInterface
public interface NodeFactory {

    /** The production node. */
    NodeFactory STANDARD = RaftNode::new;

    RaftNode create(int id, RaftConfig config, RandomGenerator random, PersistentState recovered);
}
