package io.sinkron.consensus.raft.read;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's pending linearizable reads (dissertation §6.4, ReadIndex). Each read records the commit index when it
 * arrived and the heartbeat round ({@code sequence}) that must be acknowledged by a majority before it is safe: such a
 * majority proves no newer leader existed when the read arrived. Rounds only grow, so reads are released in arrival
 * order. Bounded by {@code maxPending}. Internal to the core; single-threaded.
 */
public final class ReadIndexQueue {

    /** A read waiting for its round to be acknowledged. */
    public record Pending(long requestId, long readIndex, long sequence) {}

    private final int maxPending;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long sequence;

    public ReadIndexQueue(int maxPending) {
        this.maxPending = maxPending;
    }

    /** The latest round; every AppendEntries carries it and every answer echoes it. */
    public long sequence() {
        return sequence;
    }

    public boolean isFull() {
        return pending.size() >= maxPending;
    }

    /** Queues a read at {@code readIndex} under a new round, which the caller must then broadcast. */
    public long add(long requestId, long readIndex) {
        if (isFull()) {
            throw new IllegalStateException("read queue full: " + maxPending);
        }
        sequence++;
        pending.addLast(new Pending(requestId, readIndex, sequence));
        return sequence;
    }

    /** Removes and returns every read whose round a majority acknowledged. */
    public List<Pending> release(long quorumAckedSequence) {
        List<Pending> ready = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().sequence() <= quorumAckedSequence) {
            ready.add(pending.removeFirst());
        }
        return ready;
    }

    /** Drops every pending read (leadership lost: their clients time out and retry). */
    public void clear() {
        pending.clear();
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }
}
