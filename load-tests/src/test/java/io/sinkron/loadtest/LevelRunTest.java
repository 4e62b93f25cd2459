package io.sinkron.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

// Proves the driver's bounds and bookkeeping without a cluster: the operation cap stops a level long before its time
// budget, failures are counted as errors and never as latencies, and each worker is prepared once.
class LevelRunTest {

    private static final Scenario.Context CONTEXT = new Scenario.Context(null, List.of(URI.create("http://x")), null);

    @Test
    void operationCapStopsTheLevelAndEveryRecordedOperationRan() throws Exception {
        AtomicLong calls = new AtomicLong();
        AtomicLong prepared = new AtomicLong();
        Scenario counting = scenario("count", () -> prepared.incrementAndGet(), calls::incrementAndGet);

        LevelResult result = new LevelRun(
                        counting,
                        CONTEXT,
                        8,
                        0,
                        TimeUnit.MINUTES.toNanos(5),
                        10_000,
                        Thread.ofVirtual().factory())
                .run();

        assertThat(prepared).hasValue(8);
        assertThat(calls.get()).isLessThanOrEqualTo(10_000);
        assertThat(result.operations()).isEqualTo(calls.get()).isPositive();
        assertThat(result.micros().getTotalCount()).isEqualTo(result.operations());
        assertThat(result.errors()).isZero();
    }

    @Test
    void failuresAreErrorsNotLatencies() throws Exception {
        Scenario failing = scenario("fail", () -> {}, () -> {
            throw new IllegalStateException("boom");
        });

        LevelResult result = new LevelRun(
                        failing,
                        CONTEXT,
                        2,
                        0,
                        TimeUnit.MINUTES.toNanos(5),
                        500,
                        Thread.ofPlatform().factory())
                .run();

        assertThat(result.operations()).isZero();
        assertThat(result.errors()).isPositive().isLessThanOrEqualTo(500);
        assertThat(result.micros().getTotalCount()).isZero();
        assertThat(result.percentileMillis(99)).isEqualTo("-");
    }

    private static Scenario scenario(String name, Runnable onPrepare, Runnable onRun) {
        return new Scenario() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Worker worker(int index, Context context) {
                onPrepare.run();
                return onRun::run;
            }
        };
    }
}
