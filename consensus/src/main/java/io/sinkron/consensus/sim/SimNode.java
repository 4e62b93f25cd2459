package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.RaftNode;
import java.util.SplittableRandom;

/**
 * One simulated server: durable {@link SimStorage} that outlives crashes, and — while up — a {@link RaftNode} and a
 * {@link KvStateMachine} rebuilt from storage on every start, as a real process would. Single-threaded.
 */
final class SimNode {

    final int id;
    final SimStorage storage;
    final int tickPercent;
    RaftNode raft;
    KvStateMachine stateMachine;
    long downUntilStep = -1;

    SimNode(int id, SimStorage storage, int tickPercent) {
        this.id = id;
        this.storage = storage;
        this.tickPercent = tickPercent;
    }

    boolean isUp() {
        return raft != null;
    }

    /** Boots from what storage holds; only persisted state survives (Raft §5.1). */
    void start(RaftConfig config, long randomSeed, NodeFactory factory) {
        PersistentState state = storage.load();
        raft = factory.create(id, config, new SplittableRandom(randomSeed), state);
        stateMachine = new KvStateMachine();
        stateMachine.restore(state.snapshot());
    }

    /** The process dies: memory is gone, storage keeps what it persisted (per its fault model). */
    void crash(long until) {
        storage.crash();
        raft = null;
        stateMachine = null;
        downUntilStep = until;
    }
}
