package io.sinkron.consensus.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The search over one partition: Wing &amp; Gong (1993) depth-first search with Lowe's (2017) just-in-time
 * linearization and memoization.
 *
 * <p>The history is a doubly linked list of call and return events in real-time order. The candidates to linearize
 * next are the operations whose call events come before the first return event, tried in list order. If the spec
 * accepts a candidate and the resulting configuration is new, its events are lifted out of the list and the walk
 * restarts at the front. Meeting a return event means every candidate before it failed, so its operation could not
 * take effect in time: backtrack (undo the last linearization and try the next candidate after it). Reaching the end
 * of the list means every returned operation is linearized: success.
 *
 * <p>Operations that never returned have no return event: they may be linearized anywhere after their call, or never.
 * Lowe's memo remembers (linearized set, state); here a configuration is also skipped when an explored one had the
 * same returned operations linearized, the same state and a subset of the unreturned ones placed: having more of them
 * left in reserve can only help, so that one saw every continuation this one has. This dominance rule is what keeps a
 * crashed read (placing it changes nothing) from doubling the search.
 *
 * <p>Lifting and restoring are O(1) "dancing links" on int arrays; restores happen in reverse order of lifts, which is
 * what makes them exact. Not thread-safe; one instance runs once.
 */
final class PartitionSearch<S, I, O> {

    /**
     * Per (returned set, state) memo key, how many sets of placed unreturned operations are remembered: bounds the
     * work of one memo lookup. Measured: a 12-operation partition with 10 crashed writes needs about 500.
     */
    static final int MEMO_SETS_PER_KEY_MAX = 1024;

    private static final int HEAD = 0;
    private static final int NONE = -1;

    private final SequentialSpec<S, I, O> spec;
    private final Object key;
    private final List<Operation<I, O>> history;
    private final List<Integer> historyIndices;
    private final int opCount;
    private final int tail;
    /** For each list node (sorted event position, 1-based; 0 and {@code tail} are sentinels): its operation. */
    private final int[] nodeOp;

    private final boolean[] nodeIsCall;
    private final int[] callNode;
    /** {@link #NONE} for an operation that never returned. */
    private final int[] returnNode;
    /** An operation's index among the returned operations, or among the unreturned ones. */
    private final int[] rank;

    private final int[] prev;
    private final int[] next;

    private final long[] returnedLinearized;
    private final long[] unreturnedLinearized;
    private final Map<Configuration, List<long[]>> explored = new HashMap<>();
    private final int[] stackOp;
    private final List<S> stackState = new ArrayList<>();
    private int depth;
    private S state;
    private long stepsUsed;
    private StuckPoint<S> furthestStuck;

    PartitionSearch(
            SequentialSpec<S, I, O> spec, Object key, List<Operation<I, O>> history, List<Integer> historyIndices) {
        this.spec = spec;
        this.key = key;
        this.history = history;
        this.historyIndices = historyIndices;
        this.opCount = historyIndices.size();
        List<long[]> events = new ArrayList<>(2 * opCount);
        this.rank = new int[opCount];
        int returned = 0;
        int unreturned = 0;
        for (int op = 0; op < opCount; op++) {
            Operation<I, O> operation = op(op);
            events.add(new long[] {operation.invokedAt(), 0, op});
            if (operation.isPending()) {
                rank[op] = unreturned++;
            } else {
                rank[op] = returned++;
                events.add(new long[] {operation.returnedAt(), 1, op});
            }
        }
        this.returnedLinearized = new long[(returned + 63) >>> 6];
        this.unreturnedLinearized = new long[(unreturned + 63) >>> 6];
        // Real-time order; at equal times calls come first, because equal timestamps mean the operations overlap.
        events.sort(Comparator.<long[]>comparingLong(e -> e[0])
                .thenComparingLong(e -> e[1])
                .thenComparingLong(e -> e[2]));
        this.tail = events.size() + 1;
        this.nodeOp = new int[tail + 1];
        this.nodeIsCall = new boolean[tail + 1];
        this.callNode = new int[opCount];
        this.returnNode = new int[opCount];
        Arrays.fill(returnNode, NONE);
        this.prev = new int[tail + 1];
        this.next = new int[tail + 1];
        for (int node = 1; node < tail; node++) {
            long[] event = events.get(node - 1);
            int op = (int) event[2];
            nodeOp[node] = op;
            nodeIsCall[node] = event[1] == 0;
            if (nodeIsCall[node]) {
                callNode[op] = node;
            } else {
                returnNode[op] = node;
            }
        }
        for (int node = 0; node <= tail; node++) {
            prev[node] = node - 1;
            next[node] = node + 1;
        }
        this.stackOp = new int[opCount];
    }

    long stepsUsed() {
        return stepsUsed;
    }

    /** Runs the search with at most {@code stepBudget} steps (list events visited). */
    LinearizabilityResult run(long stepBudget) {
        if (state != null) {
            throw new IllegalStateException("a PartitionSearch runs once");
        }
        state = Objects.requireNonNull(spec.initialState(), "initialState");
        remember(state);
        int node = next[HEAD];
        while (node != tail) {
            if (stepsUsed >= stepBudget) {
                return new LinearizabilityResult.Inconclusive(Explanation.outOfBudget(key, opCount, stepsUsed, depth));
            }
            stepsUsed++;
            if (nodeIsCall[node]) {
                node = tryLinearize(nodeOp[node]) ? next[HEAD] : next[node];
            } else {
                // Every candidate before this return event failed: its operation cannot have taken effect in time.
                noteStuck(node);
                if (depth == 0) {
                    return new LinearizabilityResult.NotLinearizable(Explanation.notLinearizable(this, furthestStuck));
                }
                int undone = stackOp[depth - 1];
                undo();
                node = next[callNode[undone]];
            }
        }
        return new LinearizabilityResult.Linearizable();
    }

    /** Linearizes {@code op} next if the spec allows it and the configuration it leads to is not dominated. */
    private boolean tryLinearize(int op) {
        Operation<I, O> operation = op(op);
        Optional<S> after = Objects.requireNonNull(
                spec.apply(state, operation.input(), operation.output()), "apply returned null, not an Optional");
        if (after.isEmpty()) {
            return false;
        }
        long[] bits = linearizedSetOf(op);
        setBit(bits, rank[op]);
        if (!remember(after.get())) {
            clearBit(bits, rank[op]);
            return false;
        }
        stackOp[depth] = op;
        stackState.add(state);
        depth++;
        state = after.get();
        lift(op);
        return true;
    }

    private void undo() {
        depth--;
        int op = stackOp[depth];
        state = stackState.remove(depth);
        clearBit(linearizedSetOf(op), rank[op]);
        unlift(op);
    }

    /**
     * Records the current linearized sets with {@code reached}; false if an explored configuration dominates it (same
     * returned set and state, a subset of the unreturned ones placed). Compares at most {@link #MEMO_SETS_PER_KEY_MAX}
     * sets; past that, new sets are not remembered, which costs pruning, never correctness.
     */
    private boolean remember(S reached) {
        List<long[]> placedSets = explored.computeIfAbsent(
                new Configuration(returnedLinearized.clone(), reached), k -> new ArrayList<>());
        for (long[] placed : placedSets) {
            if (isSubset(placed, unreturnedLinearized)) {
                return false;
            }
        }
        if (placedSets.size() < MEMO_SETS_PER_KEY_MAX) {
            placedSets.add(unreturnedLinearized.clone());
        }
        return true;
    }

    /** Remembers the stuck point furthest along the history: it marks the shortest failing prefix. */
    private void noteStuck(int returnEvent) {
        if (furthestStuck != null && furthestStuck.returnEvent() >= returnEvent) {
            return;
        }
        List<Integer> open = new ArrayList<>();
        for (int node = next[HEAD]; node != returnEvent; node = next[node]) {
            open.add(nodeOp[node]);
        }
        furthestStuck = new StuckPoint<>(
                returnEvent, nodeOp[returnEvent], Arrays.copyOf(stackOp, depth), state, List.copyOf(open));
    }

    private long[] linearizedSetOf(int op) {
        return returnNode[op] == NONE ? unreturnedLinearized : returnedLinearized;
    }

    private void lift(int op) {
        unlink(callNode[op]);
        if (returnNode[op] != NONE) {
            unlink(returnNode[op]);
        }
    }

    private void unlift(int op) {
        if (returnNode[op] != NONE) {
            relink(returnNode[op]);
        }
        relink(callNode[op]);
    }

    private void unlink(int node) {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    private void relink(int node) {
        if (next[prev[node]] != next[node] || prev[next[node]] != prev[node]) {
            throw new IllegalStateException("relinking list node " + node + " out of order");
        }
        next[prev[node]] = node;
        prev[next[node]] = node;
    }

    Object key() {
        return key;
    }

    int opCount() {
        return opCount;
    }

    /** The partition's {@code op}-th operation. */
    Operation<I, O> op(int op) {
        return history.get(historyIndices.get(op));
    }

    /** The index of the partition's {@code op}-th operation in the whole checked history. */
    int historyIndex(int op) {
        return historyIndices.get(op);
    }

    private static boolean isSubset(long[] subset, long[] superset) {
        for (int i = 0; i < subset.length; i++) {
            if ((subset[i] & ~superset[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void setBit(long[] bits, int bit) {
        bits[bit >>> 6] |= 1L << bit;
    }

    private static void clearBit(long[] bits, int bit) {
        bits[bit >>> 6] &= ~(1L << bit);
    }

    /** Where the search met a return event it could not pass, with the linearization that led there. */
    record StuckPoint<S>(int returnEvent, int stuckOp, int[] linearizedOrder, S state, List<Integer> openOps) {}

    /** Lowe's memo key, minus the unreturned operations: returned ones linearized, and the state reached. */
    private static final class Configuration {
        private final long[] returnedLinearized;
        private final Object state;
        private final int hash;

        Configuration(long[] returnedLinearized, Object state) {
            this.returnedLinearized = returnedLinearized;
            this.state = Objects.requireNonNull(state, "apply returned a null state");
            this.hash = 31 * Arrays.hashCode(returnedLinearized) + state.hashCode();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Configuration that
                    && hash == that.hash
                    && Arrays.equals(returnedLinearized, that.returnedLinearized)
                    && state.equals(that.state);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
