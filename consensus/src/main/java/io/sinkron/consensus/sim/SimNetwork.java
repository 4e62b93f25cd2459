package io.sinkron.consensus.sim;

import io.sinkron.schemas.raft.RaftCodec;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The simulated network: every message is encoded with {@link RaftCodec} (so the wire form is exercised), then lost,
 * duplicated or delayed by the seeded random source, and blocked by directed partitions. Delivery order is (due step,
 * send order), so it is deterministic. In-flight messages are bounded by {@link #MAX_IN_FLIGHT}; past it new ones are
 * dropped, as a congested network would. Single-threaded.
 */
final class SimNetwork {

    static final int MAX_IN_FLIGHT = 200_000;

    private record InFlight(long dueStep, long sequence, int from, int to, byte[] bytes) {}

    private final SplittableRandom random;
    private final PriorityQueue<InFlight> queue =
            new PriorityQueue<>(Comparator.comparingLong(InFlight::dueStep).thenComparingLong(InFlight::sequence));
    private final boolean[][] blocked;
    private long sequence;
    int lossPercent;
    int duplicatePercent;
    int maxDelaySteps;
    long delivered;
    long dropped;

    SimNetwork(SplittableRandom random, int nodeCount, int lossPercent, int duplicatePercent, int maxDelaySteps) {
        this.random = random;
        this.blocked = new boolean[nodeCount][nodeCount];
        this.lossPercent = lossPercent;
        this.duplicatePercent = duplicatePercent;
        this.maxDelaySteps = maxDelaySteps;
    }

    void send(long now, RaftMessage message) {
        byte[] bytes = RaftCodec.encode(message);
        int copies = random.nextInt(100) < duplicatePercent ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            if (random.nextInt(100) < lossPercent || queue.size() >= MAX_IN_FLIGHT) {
                dropped++;
                continue;
            }
            long due = now + 1 + random.nextInt(maxDelaySteps);
            queue.add(new InFlight(due, sequence++, message.from(), message.to(), bytes));
        }
    }

    /** Messages due by {@code now} whose link is open at delivery time; blocked ones are dropped. */
    List<RaftMessage> due(long now) {
        List<RaftMessage> out = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().dueStep() <= now) {
            InFlight m = queue.poll();
            if (blocked[m.from()][m.to()]) {
                dropped++;
                continue;
            }
            delivered++;
            out.add(RaftCodec.decode(m.bytes()));
        }
        return out;
    }

    void block(int from, int to) {
        blocked[from][to] = true;
    }

    void heal() {
        for (boolean[] row : blocked) {
            java.util.Arrays.fill(row, false);
        }
    }

    /** Cuts every link between {@code side} and the rest, both ways. */
    void split(boolean[] side) {
        for (int a = 0; a < side.length; a++) {
            for (int b = 0; b < side.length; b++) {
                if (side[a] != side[b]) {
                    blocked[a][b] = true;
                }
            }
        }
    }

    int inFlight() {
        return queue.size();
    }
}
