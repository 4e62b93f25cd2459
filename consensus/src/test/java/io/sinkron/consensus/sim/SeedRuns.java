package io.sinkron.consensus.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.check.LinearizabilityResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Runs one simulation per seed for a test, prints a summary, and fails naming every failed seed (at most five). */
final class SeedRuns {

    private static final int FAILURES_SHOWN_MAX = 5;

    private SeedRuns() {}

    /**
     * Runs {@code configs.apply(seed)} for every seed and returns the summed coverage.
     *
     * @param testClass the test's simple name, for the output and the rerun command
     * @param mode what distinguishes this run within its test (printed), or empty
     */
    static Coverage runAll(String testClass, String mode, List<Long> seeds, LongFunction<SimConfig> configs) {
        String name = mode.isEmpty() ? testClass : testClass + " (" + mode + ")";
        System.out.println(
                name + ": seeds " + seeds.getFirst() + ".." + seeds.getLast() + " (" + seeds.size() + " runs)");
        List<String> failures = new ArrayList<>();
        int inconclusive = 0;
        Coverage total = Coverage.NONE;
        long started = System.nanoTime();
        for (long seed : seeds) {
            try {
                SimResult result = new Simulation(configs.apply(seed)).run();
                total = total.plus(result.coverage());
                if (result.linearizability() instanceof LinearizabilityResult.Inconclusive) {
                    inconclusive++;
                }
            } catch (SimulationFailure failure) {
                failures.add(failure.getMessage() + "\n  rerun: " + RaftSimTest.rerunCommand(testClass, seed));
                if (failures.size() >= FAILURES_SHOWN_MAX) {
                    break;
                }
            }
        }
        System.out.println(name + ": " + seeds.size() + " seeds, " + inconclusive + " inconclusive checks, "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        System.out.println(name + " coverage: " + total);
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        return total;
    }
}
