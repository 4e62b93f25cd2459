package io.sinkron.consensus.bench;

// Measures the pure core's throughput: entries committed per second on a 3-node in-memory cluster with batching and
// pipelining, 256-byte commands. A benchmark you run (a main class), not a test; see docs/benchmarks.md.

import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.consensus.raft.Role;
import io.sinkron.consensus.sim.SimStorage;
import io.sinkron.consensus.sim.StorageFault;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

public final class RaftCoreBenchmark {

    private static final int COMMAND_BYTES = 256;

    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<SimStorage> storages = new ArrayList<>();
    private final ArrayDeque<RaftMessage> network = new ArrayDeque<>();
    private final long[] applied = new long[3];

    private RaftCoreBenchmark(RaftConfig config) {
        ClusterConfig three = ClusterConfig.ofVoters(Set.of(0, 1, 2));
        for (int id = 0; id < 3; id++) {
            SimStorage storage = new SimStorage(SnapshotMeta.bootstrap(three), StorageFault.NONE);
            storages.add(storage);
            nodes.add(new RaftNode(id, config, new SplittableRandom(id), storage.load()));
        }
    }

    private void drive(int id) {
        RaftNode node = nodes.get(id);
        for (Ready ready = node.ready(); !ready.isEmpty(); ready = node.ready()) {
            storages.get(id).persist(ready.snapshotToPersist(), ready.entriesToPersist(), ready.hardState());
            network.addAll(ready.messages());
            if (!ready.committedEntries().isEmpty()) {
                applied[id] = ready.committedEntries().getLast().index();
            }
            if (ready.snapshotDue()) {
                node.compact(applied[id], new byte[0]);
            }
        }
    }

    private void deliver() {
        while (!network.isEmpty()) {
            RaftMessage m = network.poll();
            nodes.get(m.to()).step(m);
            drive(m.to());
        }
    }

    private RaftNode elect() {
        for (int t = 0; t < 1_000; t++) {
            for (int id = 0; id < 3; id++) {
                nodes.get(id).tick();
                drive(id);
            }
            deliver();
            for (RaftNode node : nodes) {
                if (node.role() == Role.LEADER) {
                    return node;
                }
            }
        }
        throw new IllegalStateException("no leader elected");
    }

    /** Proposes {@code batch} commands per round, then lets the cluster exchange messages; returns entries/second. */
    private double run(long entries, int batch) {
        RaftNode leader = elect();
        byte[] command = new byte[COMMAND_BYTES];
        long start = System.nanoTime();
        long base = leader.commitIndex();
        long rounds = 0;
        while (leader.commitIndex() - base < entries) {
            for (int i = 0; i < batch; i++) {
                leader.propose(command);
            }
            drive(leader.id());
            deliver();
            if (++rounds % 4 == 0) {
                for (int id = 0; id < 3; id++) {
                    nodes.get(id).tick();
                    drive(id);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return (leader.commitIndex() - base) / seconds;
    }

    public static void main(String[] args) {
        long entries = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        RaftConfig config = RaftConfig.defaults().withSnapshots(50_000, 64 * 1024);
        new RaftCoreBenchmark(config).run(entries / 10, batch); // warm-up
        double rate = new RaftCoreBenchmark(config).run(entries, batch);
        System.out.printf(
                "raft core, 3 nodes in memory, %d-byte commands, batch %d, %d entries: %.0f entries committed/s%n",
                COMMAND_BYTES, batch, entries, rate);
    }
}
