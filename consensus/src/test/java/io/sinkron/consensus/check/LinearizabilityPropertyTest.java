package io.sinkron.consensus.check;

// Proves the checker accepts every history that is linearizable by construction (executed sequentially on a model,
// then given random overlapping intervals) and rejects it once one read is made impossible or provably stale.

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.check.GeneratedHistory.Step;
import io.sinkron.consensus.check.KvSpec.Input;
import io.sinkron.consensus.check.KvSpec.Output;
import io.sinkron.consensus.check.LinearizabilityResult.Linearizable;
import io.sinkron.consensus.check.LinearizabilityResult.NotLinearizable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class LinearizabilityPropertyTest {

    private static final long BUDGET_STEPS = 5_000_000;
    private static final int CLIENTS = 5;
    private static final int KEYS = 3;
    private static final int PLAN_SIZE_MAX = 150;
    private static final int UNPARTITIONED_PLAN_SIZE_MAX = 40;

    @Property(tries = 200)
    void sequentiallyExecutedHistoriesAreLinearizable(@ForAll("plans") List<Step> plan) {
        var history = GeneratedHistory.build(plan);
        assertThat(check(new KvSpec(), history)).isEqualTo(new Linearizable());
    }

    @Property(tries = 200, maxDiscardRatio = 20)
    void aReadOfANeverWrittenValueIsNotLinearizable(
            @ForAll("plans") List<Step> plan, @ForAll @IntRange(max = 100_000) int pick) {
        var history = GeneratedHistory.build(plan);
        List<Integer> reads = completedReads(history);
        Assume.that(!reads.isEmpty());
        int read = reads.get(pick % reads.size());
        var mutated = withReadOutput(history, read, "never-written");
        LinearizabilityCheckerTest.assertNotLinearizable(check(new KvSpec(), mutated), "#" + read + " client");
    }

    @Property(tries = 200, maxDiscardRatio = 20)
    void aProvablyStaleReadIsNotLinearizable(
            @ForAll("plans") List<Step> plan, @ForAll @IntRange(max = 100_000) int pick) {
        var history = GeneratedHistory.build(plan);
        List<StaleRead> candidates = staleReads(history);
        Assume.that(!candidates.isEmpty());
        StaleRead stale = candidates.get(pick % candidates.size());
        var original = (KvSpec.Value) history.get(stale.read()).output();
        assertThat(original.valueOrNull()).isNotEqualTo(stale.value());
        var mutated = withReadOutput(history, stale.read(), stale.value());
        assertThat(check(new KvSpec(), mutated)).isInstanceOf(NotLinearizable.class);
    }

    @Property(tries = 100)
    void partitioningByKeyDoesNotChangeTheVerdict(
            @ForAll("plans") List<Step> plan, @ForAll @IntRange(max = 100_000) int pick) {
        // Unpartitioned, refuting a history costs the product of the keys' search spaces: keep it small.
        var history = GeneratedHistory.build(plan.subList(0, Math.min(plan.size(), UNPARTITIONED_PLAN_SIZE_MAX)));
        assertThat(check(new Unpartitioned(), history)).isEqualTo(new Linearizable());
        List<Integer> reads = completedReads(history);
        if (!reads.isEmpty()) {
            var mutated = withReadOutput(history, reads.get(pick % reads.size()), "never-written");
            assertThat(check(new Unpartitioned(), mutated)).isInstanceOf(NotLinearizable.class);
            assertThat(check(new KvSpec(), mutated)).isInstanceOf(NotLinearizable.class);
        }
    }

    @Provide
    Arbitrary<List<Step>> plans() {
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.integers().between(0, CLIENTS - 1),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, KEYS - 1),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, GeneratedHistory.SLACK_MAX),
                        Arbitraries.integers().between(0, GeneratedHistory.SLACK_MAX),
                        Arbitraries.integers().between(0, 9).map(tenth -> tenth == 0),
                        Arbitraries.of(true, false))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(PLAN_SIZE_MAX);
    }

    /** A read that would be stale: some write completed after the one that wrote {@code value} ended. */
    private record StaleRead(int read, String value) {}

    private static LinearizabilityResult check(
            SequentialSpec<KvSpec.State, Input, Output> spec, List<Operation<Input, Output>> history) {
        return LinearizabilityChecker.check(spec, history, BUDGET_STEPS);
    }

    private static List<Integer> completedReads(List<Operation<Input, Output>> history) {
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).input() instanceof KvSpec.Get && !history.get(i).isPending()) {
                reads.add(i);
            }
        }
        return reads;
    }

    /**
     * Reads that could be made provably stale. Values are unique and there are no deletes, so once a write to the key
     * has completed before the read began, the read cannot see the initial null; and if write W0 completed before W1
     * began and W1 completed before the read began, the read cannot see W0's value.
     */
    private static List<StaleRead> staleReads(List<Operation<Input, Output>> history) {
        List<StaleRead> stale = new ArrayList<>();
        for (int read : completedReads(history)) {
            var r = history.get(read);
            String key = ((KvSpec.Get) r.input()).key();
            for (var w1 : history) {
                if (writtenValue(w1, key).isEmpty() || w1.returnedAt() >= r.invokedAt()) {
                    continue;
                }
                stale.add(new StaleRead(read, null));
                for (var w0 : history) {
                    Optional<String> value = writtenValue(w0, key);
                    if (value.isPresent() && w0.returnedAt() < w1.invokedAt()) {
                        stale.add(new StaleRead(read, value.get()));
                    }
                }
            }
        }
        return stale;
    }

    /** The value a completed, successful write to {@code key} wrote. */
    private static Optional<String> writtenValue(Operation<Input, Output> op, String key) {
        if (op.isPending() || !Objects.equals(op.input().key(), key)) {
            return Optional.empty();
        }
        return switch (op.input()) {
            case KvSpec.Put put -> Optional.of(put.value());
            case KvSpec.Cas cas -> op.output() instanceof KvSpec.Ok ? Optional.of(cas.update()) : Optional.empty();
            case KvSpec.Get get -> Optional.empty();
        };
    }

    private static List<Operation<Input, Output>> withReadOutput(
            List<Operation<Input, Output>> history, int read, String value) {
        List<Operation<Input, Output>> mutated = new ArrayList<>(history);
        var r = history.get(read);
        mutated.set(
                read, new Operation<>(r.client(), r.input(), new KvSpec.Value(value), r.invokedAt(), r.returnedAt()));
        return mutated;
    }

    /** The same register checked as one partition: P-compositionality says the verdict must not change. */
    private static final class Unpartitioned implements SequentialSpec<KvSpec.State, Input, Output> {
        private final KvSpec delegate = new KvSpec();

        @Override
        public KvSpec.State initialState() {
            return delegate.initialState();
        }

        @Override
        public Optional<KvSpec.State> apply(KvSpec.State state, Input input, Output output) {
            return delegate.apply(state, input, output);
        }
    }
}
