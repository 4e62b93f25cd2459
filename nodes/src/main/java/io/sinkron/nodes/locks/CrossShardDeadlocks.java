package io.sinkron.nodes.locks;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.lock.CycleStep;
import io.sinkron.nodes.lock.LockCommand;
import io.sinkron.nodes.lock.WaitEdge;
import io.sinkron.nodes.raft.RaftHost;
import io.sinkron.nodes.raft.RaftReply;
import io.sinkron.nodes.raft.ShardRouter;
import io.sinkron.nodes.raft.ShardServices;
import io.sinkron.nodes.raft.ShardStateMachines;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Finds deadlocks whose cycle runs through locks of different shards, which no single shard's state machine can see
 * (a cycle within one shard is refused when the wait is requested). Every {@link #PERIOD_MS} the node that leads shard
 * 0 collects the wait-for edges of every shard from its own replicas, and looks for a cycle. A cycle seen in two
 * collections in a row (so that replicas read at slightly different moments cannot fake one) costs its youngest
 * waiter its wait: {@code AbortWait} on that lock's shard, which answers the waiter {@code 409 deadlock} with the
 * cycle. Detection latency: one to two periods (≈ 0.5–1 s) after the cycle closes. Runs on a Vert.x timer and never
 * blocks; one collection at a time.
 */
@Singleton
public class CrossShardDeadlocks {

    private static final Logger LOG = Logger.getLogger(CrossShardDeadlocks.class);

    /** How often the wait-for graph is collected. */
    static final long PERIOD_MS = 500;

    /** Most edges read from one shard per collection. */
    static final int EDGES_PER_SHARD_MAX = 100_000;

    private final RaftHost raft;
    private final ShardRouter router;
    private final NodeSettings settings;
    private final Vertx vertx;
    private final AtomicBoolean collecting = new AtomicBoolean();
    private volatile Set<List<CycleStep>> lastCycles = Set.of();
    private long timer = -1;

    CrossShardDeadlocks(RaftHost raft, ShardRouter router, NodeSettings settings, Vertx vertx) {
        this.raft = raft;
        this.router = router;
        this.settings = settings;
        this.vertx = vertx;
    }

    void onStart(@Observes @Priority(20) StartupEvent event) {
        timer = vertx.setPeriodic(PERIOD_MS, id -> collect());
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void collect() {
        if (!settings.selfId().equals(raft.view().leaderOf(0)) || !collecting.compareAndSet(false, true)) {
            return;
        }
        List<Uni<List<WaitEdge>>> reads = new ArrayList<>();
        for (int shard : raft.view().shards().keySet()) {
            reads.add(Uni.createFrom()
                    .completionStage(() -> raft.readLocal(
                            shard,
                            machine -> encode(ShardStateMachines.locks(machine).waitForEdges(EDGES_PER_SHARD_MAX))))
                    .map(reply -> reply instanceof RaftReply.Done done ? decode(done.result()) : List.<WaitEdge>of()));
        }
        if (reads.isEmpty()) {
            collecting.set(false);
            return;
        }
        Uni.join()
                .all(reads)
                .andFailFast()
                .subscribe()
                .with(
                        all -> {
                            try {
                                List<WaitEdge> edges = new ArrayList<>();
                                all.forEach(edges::addAll);
                                act(cycles(edges));
                            } finally {
                                collecting.set(false);
                            }
                        },
                        failure -> {
                            collecting.set(false);
                            LOG.debugf("deadlock collection failed: %s", failure.toString());
                        });
    }

    private void act(Map<List<CycleStep>, WaitEdge> found) {
        Set<List<CycleStep>> confirmed = new HashSet<>(found.keySet());
        confirmed.retainAll(lastCycles);
        lastCycles = Set.copyOf(found.keySet());
        for (List<CycleStep> cycle : confirmed) {
            WaitEdge victim = found.get(cycle);
            LOG.infof(
                    "deadlock across shards: %s; aborting the wait of session %d for %s",
                    cycle, victim.waiter(), victim.lock());
            // The command carries at most CYCLE_STEPS_MAX steps; a longer cycle is reported cut.
            List<CycleStep> reported = cycle.subList(0, Math.min(cycle.size(), LockCommand.CYCLE_STEPS_MAX));
            LockCommand.AbortWait abort = new LockCommand.AbortWait(
                    "", 0, System.currentTimeMillis(), victim.waiter(), victim.lock(), reported);
            router.propose(raft.shardOf(victim.lock()), ShardServices.command(ShardServices.LOCKS, abort.encode()))
                    .subscribe()
                    .with(ok -> {}, e -> LOG.debugf("aborting a deadlocked wait failed: %s", e.toString()));
        }
    }

    /**
     * The cycles of the wait-for graph, each in a canonical rotation (starting at its smallest session) mapped to its
     * victim, the youngest waiting request in it. At most one cycle per starting session: enough to break them all
     * over a few periods.
     */
    static Map<List<CycleStep>, WaitEdge> cycles(List<WaitEdge> edges) {
        Map<Long, List<WaitEdge>> out = new LinkedHashMap<>();
        for (WaitEdge edge : edges) {
            out.computeIfAbsent(edge.waiter(), w -> new ArrayList<>()).add(edge);
        }
        Map<List<CycleStep>, WaitEdge> cycles = new LinkedHashMap<>();
        Map<Long, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (Long start : out.keySet()) {
            List<WaitEdge> path = new ArrayList<>();
            search(start, out, state, path, cycles);
        }
        return cycles;
    }

    private static void search(
            long session,
            Map<Long, List<WaitEdge>> out,
            Map<Long, Integer> state,
            List<WaitEdge> path,
            Map<List<CycleStep>, WaitEdge> cycles) {
        Integer seen = state.get(session);
        if (seen != null) {
            if (seen == 1) {
                int from = 0;
                while (from < path.size() && path.get(from).waiter() != session) {
                    from++;
                }
                List<WaitEdge> loop = path.subList(from, path.size());
                if (!loop.isEmpty()) {
                    record(loop, cycles);
                }
            }
            return;
        }
        state.put(session, 1);
        for (WaitEdge edge : out.getOrDefault(session, List.of())) {
            path.add(edge);
            search(edge.blocker(), out, state, path, cycles);
            path.removeLast();
        }
        state.put(session, 2);
    }

    private static void record(List<WaitEdge> loop, Map<List<CycleStep>, WaitEdge> cycles) {
        int first = 0;
        for (int i = 1; i < loop.size(); i++) {
            if (loop.get(i).waiter() < loop.get(first).waiter()) {
                first = i;
            }
        }
        List<CycleStep> steps = new ArrayList<>();
        WaitEdge victim = loop.getFirst();
        for (int i = 0; i < loop.size(); i++) {
            WaitEdge edge = loop.get((first + i) % loop.size());
            steps.add(new CycleStep(edge.waiter(), edge.lock()));
            if (edge.waitingSinceMs() > victim.waitingSinceMs()
                    || (edge.waitingSinceMs() == victim.waitingSinceMs() && edge.waiter() > victim.waiter())) {
                victim = edge;
            }
        }
        cycles.putIfAbsent(List.copyOf(steps), victim);
    }

    static byte[] encode(List<WaitEdge> edges) {
        int size = 4;
        List<byte[]> names = new ArrayList<>();
        for (WaitEdge edge : edges) {
            byte[] name = edge.lock().getBytes(StandardCharsets.UTF_8);
            names.add(name);
            size += 8 + 8 + 8 + 2 + name.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(edges.size());
        for (int i = 0; i < edges.size(); i++) {
            WaitEdge edge = edges.get(i);
            out.putLong(edge.waiter()).putLong(edge.blocker()).putLong(edge.waitingSinceMs());
            out.putShort((short) names.get(i).length).put(names.get(i));
        }
        return out.array();
    }

    static List<WaitEdge> decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int count = in.getInt();
        List<WaitEdge> edges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long waiter = in.getLong();
            long blocker = in.getLong();
            long since = in.getLong();
            byte[] name = new byte[in.getShort() & 0xFFFF];
            in.get(name);
            edges.add(new WaitEdge(waiter, new String(name, StandardCharsets.UTF_8), blocker, since));
        }
        return edges;
    }
}
