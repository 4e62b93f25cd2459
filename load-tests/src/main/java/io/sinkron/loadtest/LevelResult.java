package io.sinkron.loadtest;

import org.HdrHistogram.Histogram;

/** What one concurrency level measured. Latencies are recorded in microseconds. */
record LevelResult(String scenario, int concurrency, long operations, long errors, double seconds, Histogram micros) {

    double throughputPerSecond() {
        return operations / seconds;
    }

    String percentileMillis(double percentile) {
        return micros.getTotalCount() == 0
                ? "-"
                : String.format("%.3f", micros.getValueAtPercentile(percentile) / 1000.0);
    }

    String line() {
        return String.format(
                "%-14s c=%-4d ops=%-9d errors=%-6d %10.1f ops/s  p50=%sms p99=%sms p99.9=%sms max=%sms",
                scenario,
                concurrency,
                operations,
                errors,
                throughputPerSecond(),
                percentileMillis(50),
                percentileMillis(99),
                percentileMillis(99.9),
                percentileMillis(100));
    }

    String markdownRow() {
        return String.format(
                "| %s | %d | %d | %d | %.0f | %s | %s | %s | %s |",
                scenario,
                concurrency,
                operations,
                errors,
                throughputPerSecond(),
                percentileMillis(50),
                percentileMillis(99),
                percentileMillis(99.9),
                percentileMillis(100));
    }

    static String markdownHeader() {
        return "| scenario | concurrency | ops | errors | ops/s | p50 ms | p99 ms | p99.9 ms | max ms |\n"
                + "|---|---|---|---|---|---|---|---|---|";
    }
}
