package io.sinkron.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Runs one scenario at one concurrency: every worker on its own thread (platform or virtual, as chosen), a warm-up that is not recorded, then
 * a measured window. Bounded twice: by wall time and by a total operation count.
 */
final class LevelRun {

    /** Longest latency a histogram records exactly: 60 s, in microseconds. */
    private static final long HIGHEST_MICROS = 60_000_000L;

    private final Scenario scenario;
    private final Scenario.Context context;
    private final int concurrency;
    private final long warmupNanos;
    private final long measureNanos;
    private final long operationsMax;
    private final ThreadFactory threads;

    LevelRun(
            Scenario scenario,
            Scenario.Context context,
            int concurrency,
            long warmupNanos,
            long measureNanos,
            long operationsMax,
            ThreadFactory threads) {
        this.scenario = scenario;
        this.context = context;
        this.concurrency = concurrency;
        this.warmupNanos = warmupNanos;
        this.measureNanos = measureNanos;
        this.operationsMax = operationsMax;
        this.threads = threads;
    }

    LevelResult run() throws Exception {
        AtomicLong started = new AtomicLong();
        CountDownLatch prepared = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Future<WorkerTally>> tallies = new ArrayList<>();
        try (ExecutorService workers = Executors.newThreadPerTaskExecutor(threads)) {
            for (int i = 0; i < concurrency; i++) {
                int index = i;
                tallies.add(workers.submit(() -> loop(index, prepared, go, window, started)));
            }
            prepared.await();
            long now = System.nanoTime();
            window[0] = now + warmupNanos;
            window[1] = window[0] + measureNanos;
            go.countDown();
        }
        Histogram merged = new Histogram(HIGHEST_MICROS, 3);
        long operations = 0;
        long errors = 0;
        for (Future<WorkerTally> tally : tallies) {
            WorkerTally t = tally.get();
            merged.add(t.micros);
            operations += t.operations;
            errors += t.errors;
        }
        double seconds = measureNanos / 1e9;
        return new LevelResult(scenario.name(), concurrency, operations, errors, seconds, merged);
    }

    private WorkerTally loop(int index, CountDownLatch prepared, CountDownLatch go, long[] window, AtomicLong started)
            throws Exception {
        WorkerTally tally = new WorkerTally();
        try (Scenario.Worker worker = prepare(index, prepared)) {
            go.await();
            long measureFrom = window[0];
            long end = window[1];
            while (started.incrementAndGet() <= operationsMax) {
                long begin = System.nanoTime();
                if (begin >= end) {
                    break;
                }
                boolean ok = runOnce(worker);
                long finished = System.nanoTime();
                if (begin >= measureFrom && finished <= end) {
                    tally.record(ok, finished - begin);
                }
            }
        }
        return tally;
    }

    private Scenario.Worker prepare(int index, CountDownLatch prepared) throws Exception {
        try {
            return scenario.worker(index, context);
        } finally {
            prepared.countDown();
        }
    }

    private static boolean runOnce(Scenario.Worker worker) {
        try {
            worker.runOnce();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private static final class WorkerTally {
        final Histogram micros = new Histogram(HIGHEST_MICROS, 3);
        long operations;
        long errors;

        void record(boolean ok, long nanos) {
            if (ok) {
                operations++;
                micros.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, nanos / 1000)));
            } else {
                errors++;
            }
        }
    }
}
