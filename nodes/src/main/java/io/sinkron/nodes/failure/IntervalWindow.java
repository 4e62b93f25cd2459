package io.sinkron.nodes.failure;

/** The last {@code size} heartbeat intervals, with running sums so mean and deviation cost O(1). */
final class IntervalWindow {

    private final long[] values;
    private int count;
    private int next;
    private double sum;
    private double sumOfSquares;

    IntervalWindow(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("window size must be at least 2, was " + size);
        }
        this.values = new long[size];
    }

    void add(long interval) {
        if (count == values.length) {
            long evicted = values[next];
            sum -= evicted;
            sumOfSquares -= (double) evicted * evicted;
        } else {
            count++;
        }
        values[next] = interval;
        next = (next + 1) % values.length;
        sum += interval;
        sumOfSquares += (double) interval * interval;
    }

    double mean() {
        return sum / count;
    }

    double standardDeviation() {
        double mean = mean();
        return Math.sqrt(Math.max(0.0, sumOfSquares / count - mean * mean));
    }

    int count() {
        return count;
    }
}
