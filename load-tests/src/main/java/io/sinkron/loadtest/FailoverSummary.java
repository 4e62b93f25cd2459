package io.sinkron.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * Exact order statistics over a small number of failover times (nanoseconds), so no histogram rounding: the median
 * is the middle value (the mean of the two middle values when the count is even); p90 is the nearest-rank value, the
 * ⌈0.9·n⌉-th smallest, and is only given from {@link #P90_ROUNDS_MIN} rounds on, below which it would just be the max.
 */
record FailoverSummary(int rounds, long minNanos, long medianNanos, OptionalLong p90Nanos, long maxNanos) {

    /** Fewest rounds for which a 90th percentile says more than the maximum. */
    static final int P90_ROUNDS_MIN = 10;

    static FailoverSummary of(List<Long> nanos) {
        if (nanos.isEmpty()) {
            throw new IllegalArgumentException("no rounds to summarise");
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int n = sorted.size();
        long median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        OptionalLong p90 = n >= P90_ROUNDS_MIN ? OptionalLong.of(nearestRank(sorted, 0.9)) : OptionalLong.empty();
        return new FailoverSummary(n, sorted.getFirst(), median, p90, sorted.getLast());
    }

    /** The ⌈q·n⌉-th smallest value (1-based rank), q in (0, 1]. */
    static long nearestRank(List<Long> sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    String line() {
        return String.format(
                "failover over %d rounds: min=%s ms  median=%s ms  p90=%s ms  max=%s ms",
                rounds, millis(minNanos), millis(medianNanos), p90Millis(), millis(maxNanos));
    }

    static String markdownHeader() {
        return "| rounds | min ms | median ms | p90 ms | max ms |\n|---|---|---|---|---|";
    }

    String markdownRow() {
        return String.format(
                "| %d | %s | %s | %s | %s |",
                rounds, millis(minNanos), millis(medianNanos), p90Millis(), millis(maxNanos));
    }

    private String p90Millis() {
        return p90Nanos.isPresent() ? millis(p90Nanos.getAsLong()) : "-";
    }

    static String millis(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }
}
