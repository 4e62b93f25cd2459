package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.Outcome;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.consensus.raft.Role;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A hand-driven cluster for scripted scenarios (Figure 8, a forgotten vote, a leader deposed after the heal): the test
 * decides every tick, every delivery, every cut link and every crash, while the same {@link SafetyChecker} as the
 * random {@link Simulation} runs after every input and the same durability check after every restart. Each node's
 * effects are handled as a real driver must (persist, send, install, apply, compact). A violated property throws {@link
 * SimulationFailure} with the scenario's {@code seed}. Messages wait in one FIFO queue until the script delivers or
 * drops them. Each node runs a {@link KvStateMachine} unless the script supplies another service (a service's own
 * simulation, such as the lock service's, checks its invariants through {@link #stateMachine}). Single-threaded.
 */
public final class ScriptedCluster {

    /** Most messages one {@link #deliver} call hands out: a bound on a script that never goes quiet. */
    public static final int DELIVERIES_MAX = 100_000;

    private final long seed;
    private final RaftConfig raft;
    private final NodeFactory factory;
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<RaftMessage> queue = new ArrayList<>();
    private final boolean[][] blocked;
    private final SafetyChecker checker = new SafetyChecker();
    private final ClusterConfig initial;
    private long inputs;

    /** {@code voters} voting nodes with ids 0..voters-1, booted from empty storage with {@code fault}. */
    public ScriptedCluster(long seed, int voters, RaftConfig raft, StorageFault fault, NodeFactory factory) {
        this(seed, voters, raft, fault, factory, KvStateMachine::new);
    }

    /**
     * As above, but every node runs the service {@code stateMachines} builds: called once per (re)start, it must
     * return a fresh, empty, deterministic instance, which is then restored from the node's snapshot.
     */
    public ScriptedCluster(
            long seed,
            int voters,
            RaftConfig raft,
            StorageFault fault,
            NodeFactory factory,
            Supplier<? extends StateMachine> stateMachines) {
        this.seed = seed;
        this.raft = raft;
        this.factory = factory;
        this.blocked = new boolean[voters][voters];
        TreeSet<Integer> ids = new TreeSet<>();
        for (int i = 0; i < voters; i++) {
            ids.add(i);
        }
        this.initial = ClusterConfig.ofVoters(ids);
        for (int i = 0; i < voters; i++) {
            SimNode node = new SimNode(i, new SimStorage(SnapshotMeta.bootstrap(initial), fault), 100, stateMachines);
            node.start(raft, seed * 31 + i, factory);
            nodes.add(node);
        }
    }

    public RaftNode node(int id) {
        return nodes.get(id).raft;
    }

    /** Whether node {@code id} is running (not crashed, or restarted since). */
    public boolean isUp(int id) {
        return nodes.get(id).isUp();
    }

    /**
     * The service of node {@code id}, as of its last applied entry; null while it is down. For checks only: a caller
     * that changes it breaks the replica.
     */
    public StateMachine stateMachine(int id) {
        return nodes.get(id).stateMachine;
    }

    /** One tick of node {@code id}, then its effects. */
    public void tick(int id) {
        guarded(() -> {
            nodes.get(id).raft.tick();
            drive(nodes.get(id));
        });
    }

    /** Ticks node {@code id} until it has {@code role}; fails after {@code ticksMax} ticks. */
    public void tickUntil(int id, Role role, int ticksMax) {
        for (int t = 0; t < ticksMax && nodes.get(id).raft.role() != role; t++) {
            tick(id);
        }
        if (nodes.get(id).raft.role() != role) {
            throw new IllegalStateException("node " + id + " not " + role + " after " + ticksMax + " ticks");
        }
    }

    /** Proposes {@code command} at node {@code id}. */
    public Outcome propose(int id, byte[] command) {
        Outcome[] out = new Outcome[1];
        guarded(() -> {
            out[0] = nodes.get(id).raft.propose(command);
            drive(nodes.get(id));
        });
        return out[0];
    }

    /** Asks leader {@code id} to hand leadership to {@code target} (dissertation §3.10). */
    public Outcome transferLeadership(int id, int target) {
        Outcome[] out = new Outcome[1];
        guarded(() -> {
            out[0] = nodes.get(id).raft.transferLeadership(target);
            drive(nodes.get(id));
        });
        return out[0];
    }

    /**
     * Delivers queued messages that match {@code which}, in send order, including matching ones sent in reaction,
     * until none is left; messages on a cut link are dropped when their turn comes, the others stay queued. Returns
     * how many were delivered.
     */
    public int deliver(Predicate<RaftMessage> which) {
        int delivered = 0;
        for (boolean progress = true; progress; ) {
            progress = false;
            for (Iterator<RaftMessage> it = queue.iterator(); it.hasNext(); ) {
                RaftMessage m = it.next();
                if (!which.test(m)) {
                    continue;
                }
                it.remove();
                SimNode target = nodes.get(m.to());
                if (!blocked[m.from()][m.to()] && target.isUp()) {
                    if (++delivered > DELIVERIES_MAX) {
                        throw new IllegalStateException("script did not go quiet in " + DELIVERIES_MAX + " messages");
                    }
                    guarded(() -> {
                        target.raft.step(m);
                        drive(target);
                    });
                }
                progress = true;
                break; // the queue changed: restart from its head to keep send order
            }
        }
        return delivered;
    }

    /** Delivers everything until quiet. */
    public int deliverAll() {
        return deliver(m -> true);
    }

    /** Drops every queued message that matches {@code which}. */
    public void drop(Predicate<RaftMessage> which) {
        queue.removeIf(which);
    }

    /** Cuts the link from {@code from} to {@code to} (one way). */
    public void block(int from, int to) {
        blocked[from][to] = true;
    }

    /** Cuts every link to and from {@code id}. */
    public void isolate(int id) {
        for (int other = 0; other < nodes.size(); other++) {
            blocked[id][other] = true;
            blocked[other][id] = true;
        }
    }

    /** Restores every link. */
    public void heal() {
        for (boolean[] row : blocked) {
            java.util.Arrays.fill(row, false);
        }
    }

    /**
     * The process dies; only what its storage persisted survives (per the storage's fault). Messages already queued
     * for it stay queued, like packets still in the network: delivered if it is up again by then, else dropped.
     */
    public void crash(int id) {
        nodes.get(id).crash(Long.MAX_VALUE);
    }

    /** Boots node {@code id} from its storage, then checks that no committed entry was lost. */
    public void restart(int id) {
        nodes.get(id).start(raft, seed * 31 + id + 1_000 * ++inputs, factory);
        guarded(() -> checker.checkCommittedDurable(nodes, initial.voters()));
    }

    /** The nodes that are up, for checkers a test drives itself (such as {@link LivenessChecker}). */
    List<RaftNode> live() {
        List<RaftNode> up = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node.isUp()) {
                up.add(node.raft);
            }
        }
        return up;
    }

    /** The safety checker that has seen every apply of this script. */
    SafetyChecker safety() {
        return checker;
    }

    /** The entry first applied at {@code index} anywhere, or null. */
    public LogEntry appliedAt(long index) {
        return checker.appliedAt(index);
    }

    private void drive(SimNode node) {
        checker.afterStep(node.raft);
        for (Ready ready = node.raft.ready(); !ready.isEmpty(); ready = node.raft.ready()) {
            queue.addAll(ready.messagesBeforePersist()); // empty unless the leader persists in parallel
            node.storage.persist(ready.snapshotToPersist(), ready.entriesToPersist(), ready.hardState());
            if (!ready.entriesToPersist().isEmpty()) {
                LogEntry last = ready.entriesToPersist().getLast();
                node.raft.persisted(last.index(), last.term());
            }
            queue.addAll(ready.messages());
            if (ready.snapshotToInstall() != null) {
                node.stateMachine.restore(ready.snapshotToInstall());
            }
            for (LogEntry entry : ready.committedEntries()) {
                node.stateMachine.apply(entry);
                checker.onApply(node.id, entry);
            }
            if (ready.snapshotDue()) {
                node.raft.compact(node.stateMachine.appliedIndex(), node.stateMachine.snapshot());
            }
            checker.afterStep(node.raft);
        }
    }

    private void guarded(Runnable input) {
        inputs++;
        try {
            input.run();
        } catch (SafetyChecker.InvariantViolation | IllegalStateException e) {
            throw new SimulationFailure(seed, inputs, e.getMessage(), e);
        }
    }
}
