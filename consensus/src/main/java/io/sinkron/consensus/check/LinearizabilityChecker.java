package io.sinkron.consensus.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a concurrent history is linearizable (Herlihy &amp; Wing 1990) against a {@link SequentialSpec}.
 *
 * <p>The history is split by {@link SequentialSpec#partitionKey} and each partition is searched on its own
 * (P-compositionality), smallest first, so a violation in a small partition is found even when a large one would
 * exhaust the budget. Each partition is searched with Wing &amp; Gong's depth-first search as improved by Lowe
 * (2017): operations are linearized just in time, and each (set of linearized operations, state) configuration that
 * was already explored is not explored again. See {@code docs/linearizability.md}.
 *
 * <p>Pure and single-threaded; no clock is read. Work is bounded by {@code maxSearchSteps}; memory by one remembered
 * configuration per step (bit sets over the partition's operations plus a state).
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {}

    /**
     * Checks {@code history} against {@code spec}.
     *
     * @param maxSearchSteps the budget shared by all partitions: one step is one visit to a call or return event
     *     (trying an operation, passing one, or backtracking); past it the answer is {@link
     *     LinearizabilityResult.Inconclusive}
     * @return {@link LinearizabilityResult.NotLinearizable} as soon as one partition fails
     * @throws IllegalArgumentException if {@code maxSearchSteps} is negative, or from the spec on a malformed history
     */
    public static <S, I, O> LinearizabilityResult check(
            SequentialSpec<S, I, O> spec, List<Operation<I, O>> history, long maxSearchSteps) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(history, "history");
        if (maxSearchSteps < 0) {
            throw new IllegalArgumentException("maxSearchSteps must be >= 0, was " + maxSearchSteps);
        }
        List<Partition> partitions = partition(spec, history);
        long stepsLeft = maxSearchSteps;
        int proven = 0;
        for (Partition partition : partitions) {
            PartitionSearch<S, I, O> search =
                    new PartitionSearch<>(spec, partition.key(), history, partition.indices());
            LinearizabilityResult result = search.run(stepsLeft);
            stepsLeft -= search.stepsUsed();
            if (stepsLeft < 0) {
                throw new IllegalStateException("search overspent its budget by " + (-stepsLeft) + " steps");
            }
            switch (result) {
                case LinearizabilityResult.Linearizable linearizable -> proven++;
                case LinearizabilityResult.NotLinearizable notLinearizable -> {
                    return notLinearizable;
                }
                case LinearizabilityResult.Inconclusive inconclusive -> {
                    return new LinearizabilityResult.Inconclusive(inconclusive.reason() + "; " + proven + " of "
                            + partitions.size() + " partitions were proven linearizable before that, "
                            + (partitions.size() - proven - 1) + " larger ones were not searched");
                }
            }
        }
        return new LinearizabilityResult.Linearizable();
    }

    /** One partition: its key and the indices of its operations in the history, in history order. */
    private record Partition(Object key, List<Integer> indices) {}

    private static <S, I, O> List<Partition> partition(SequentialSpec<S, I, O> spec, List<Operation<I, O>> history) {
        Map<Object, List<Integer>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < history.size(); i++) {
            Operation<I, O> op = Objects.requireNonNull(history.get(i), "history contains null at index " + i);
            Object key = spec.partitionKey(op.input());
            if (key == null) {
                throw new IllegalArgumentException("partitionKey returned null for " + op.input());
            }
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        List<Partition> partitions = new ArrayList<>(byKey.size());
        byKey.forEach((key, indices) -> partitions.add(new Partition(key, List.copyOf(indices))));
        // Stable: equal sizes keep first-appearance order, so the search order is deterministic.
        partitions.sort(Comparator.comparingInt(p -> p.indices().size()));
        return partitions;
    }
}
