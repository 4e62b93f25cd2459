package io.sinkron.consensus.check;

// Proves the search is bounded: a budget too small for an exponential history yields Inconclusive (counted spec
// calls never exceed it), while a large generated history is decided within a fixed number of steps per operation.

import static io.sinkron.consensus.check.LinearizabilityCheckerTest.get;
import static io.sinkron.consensus.check.LinearizabilityCheckerTest.ok;
import static io.sinkron.consensus.check.LinearizabilityCheckerTest.op;
import static io.sinkron.consensus.check.LinearizabilityCheckerTest.put;
import static io.sinkron.consensus.check.LinearizabilityCheckerTest.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.check.KvSpec.Input;
import io.sinkron.consensus.check.KvSpec.Output;
import io.sinkron.consensus.check.LinearizabilityResult.Inconclusive;
import io.sinkron.consensus.check.LinearizabilityResult.Linearizable;
import io.sinkron.consensus.check.LinearizabilityResult.NotLinearizable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SearchBudgetTest {

    /**
     * Steps per operation a generated 5-client history may need: a loose bound on near-linear work. Measured: about 4
     * without crashes, 15-25 with 2% crashed operations (each unplaced one is passed again after every restart).
     */
    private static final long STEPS_PER_OP_MAX = 50;

    @Test
    void zeroBudgetIsInconclusiveUnlessThereIsNothingToCheck() {
        assertThat(LinearizabilityChecker.check(new KvSpec(), List.of(), 0)).isEqualTo(new Linearizable());
        var history = List.of(op(1, put("x", "a"), ok(), 0, 1));
        assertThat(LinearizabilityChecker.check(new KvSpec(), history, 0)).isInstanceOf(Inconclusive.class);
        assertThat(LinearizabilityChecker.check(new KvSpec(), history, 1)).isEqualTo(new Linearizable());
    }

    @Test
    void exponentialHistoryRunsOutOfBudgetInsteadOfHanging() {
        // 20 overlapping writes and a read of a value none wrote: refuting it means trying every subset of writes.
        long budget = 50_000;
        CountingSpec spec = new CountingSpec();
        var result = LinearizabilityChecker.check(spec, overlappingWritesThenImpossibleRead(20), budget);
        assertThat(result).isInstanceOf(Inconclusive.class);
        assertThat(((Inconclusive) result).reason()).contains("'x'").contains("50000 steps");
        assertThat(spec.applyCalls).isPositive().isLessThanOrEqualTo(budget);
    }

    @Test
    void theSameShapeIsRefutedWhenTheBudgetSuffices() {
        var result = LinearizabilityChecker.check(new KvSpec(), overlappingWritesThenImpossibleRead(6), 1_000_000);
        assertThat(result).isInstanceOf(NotLinearizable.class);
    }

    @Test
    void crashedReadsDoNotMultiplyTheSearch() {
        // 40 reads that never returned, then a stale read: placing or skipping each crashed read would be 2^40 ways.
        List<Operation<Input, Output>> history = new ArrayList<>();
        history.add(op(0, put("x", "a"), ok(), 0, 1));
        for (int i = 1; i <= 40; i++) {
            history.add(Operation.pending(i, get("x"), 2));
        }
        history.add(op(0, put("x", "b"), ok(), 3, 4));
        history.add(op(0, get("x"), value("a"), 5, 6));
        var result = LinearizabilityChecker.check(new KvSpec(), history, 10_000);
        LinearizabilityCheckerTest.assertNotLinearizable(result, "#42 client 0");
    }

    @Test
    void crashedWritesBeforeAnImpossibleReadAreRefuted() {
        // Found by the property test: 10 crashed writes give 2^10 placements; the dominance memo must keep up.
        List<Operation<Input, Output>> history = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            history.add(Operation.pending(100 + i, put("x", "v" + i), 10L * (i + 1)));
        }
        history.add(op(0, put("x", "v10"), ok(), 110, 110));
        history.add(op(0, get("x"), value("never-written"), 120, 120));
        var result = LinearizabilityChecker.check(new KvSpec(), history, 5_000_000);
        LinearizabilityCheckerTest.assertNotLinearizable(result, "#11 client 0");
    }

    @Test
    void budgetIsSharedAndSmallPartitionsAreSearchedFirst() {
        List<Operation<Input, Output>> history = new ArrayList<>(overlappingWritesThenImpossibleRead(20));
        history.add(op(7, put("y", "a"), ok(), 0, 1));
        history.add(op(7, get("y"), value(null), 2, 3));
        var result = LinearizabilityChecker.check(new KvSpec(), history, 50_000);
        LinearizabilityCheckerTest.assertNotLinearizable(result, "partition 'y'");
    }

    @Test
    void twoThousandOperationsFromFiveClientsAreDecidedInAFewStepsPerOperation() {
        var steps = GeneratedHistory.randomSteps(new Random(20_260_521L), 2_000, 5, 1, 0.02);
        var history = GeneratedHistory.build(steps);
        var result = LinearizabilityChecker.check(new KvSpec(), history, STEPS_PER_OP_MAX * history.size());
        assertThat(result).isEqualTo(new Linearizable());
    }

    private static List<Operation<Input, Output>> overlappingWritesThenImpossibleRead(int writes) {
        List<Operation<Input, Output>> history = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            history.add(op(i, put("x", "v" + i), ok(), 0, 100));
        }
        history.add(op(writes, get("x"), value("never-written"), 50, 60));
        return history;
    }

    /** KvSpec that counts how often the checker calls it: the checker's work in units we can assert on. */
    private static final class CountingSpec implements SequentialSpec<KvSpec.State, Input, Output> {
        private final KvSpec delegate = new KvSpec();
        long applyCalls;

        @Override
        public KvSpec.State initialState() {
            return delegate.initialState();
        }

        @Override
        public Optional<KvSpec.State> apply(KvSpec.State state, Input input, Output output) {
            applyCalls++;
            return delegate.apply(state, input, output);
        }

        @Override
        public Object partitionKey(Input input) {
            return delegate.partitionKey(input);
        }
    }
}
