package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.StateMachine;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * One simulated server: durable {@link SimStorage} that outlives crashes, and — while up — a {@link RaftNode} and a
 * {@link StateMachine} (a {@link KvStateMachine} unless a scripted test supplies another service) rebuilt from
 * storage on every start, as a real process would. Single-threaded.
 */
final class SimNode {

    final int id;
    final SimStorage storage;
    final int tickPercent;
    /** Readies not yet persisted (pipelined persistence only); lost with the process. */
    final PersistPipeline pipeline = new PersistPipeline();

    private final Supplier<? extends StateMachine> stateMachines;
    RaftNode raft;
    StateMachine stateMachine;
    long downUntilStep = -1;

    SimNode(int id, SimStorage storage, int tickPercent) {
        this(id, storage, tickPercent, KvStateMachine::new);
    }

    /** With {@code stateMachines} building a fresh, empty service on every start. */
    SimNode(int id, SimStorage storage, int tickPercent, Supplier<? extends StateMachine> stateMachines) {
        this.id = id;
        this.storage = storage;
        this.tickPercent = tickPercent;
        this.stateMachines = stateMachines;
    }

    /** The key-value register of the random {@link Simulation}, which always runs one. */
    KvStateMachine kv() {
        return (KvStateMachine) stateMachine;
    }

    boolean isUp() {
        return raft != null;
    }

    /** Boots from what storage holds; only persisted state survives (Raft §5.1). */
    void start(RaftConfig config, long randomSeed, NodeFactory factory) {
        PersistentState state = storage.load();
        raft = factory.create(id, config, new SplittableRandom(randomSeed), state);
        stateMachine = stateMachines.get();
        stateMachine.restore(state.snapshot());
    }

    /** The process dies: memory is gone, storage keeps what it persisted (per its fault model). */
    void crash(long until) {
        storage.crash();
        pipeline.drop();
        raft = null;
        stateMachine = null;
        downUntilStep = until;
    }
}
