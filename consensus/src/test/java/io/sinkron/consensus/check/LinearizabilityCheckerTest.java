package io.sinkron.consensus.check;

// Proves the checker's verdicts on the classic hand-written histories: the linearizable ones pass and each known
// anomaly (stale read, lost write, new-then-old reads, double CAS, crashed ops) gets exactly the expected verdict.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.check.KvSpec.Cas;
import io.sinkron.consensus.check.KvSpec.Failed;
import io.sinkron.consensus.check.KvSpec.Get;
import io.sinkron.consensus.check.KvSpec.Input;
import io.sinkron.consensus.check.KvSpec.Ok;
import io.sinkron.consensus.check.KvSpec.Output;
import io.sinkron.consensus.check.KvSpec.Put;
import io.sinkron.consensus.check.KvSpec.Value;
import io.sinkron.consensus.check.LinearizabilityResult.Linearizable;
import io.sinkron.consensus.check.LinearizabilityResult.NotLinearizable;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static final long BUDGET_STEPS = 100_000;

    @Test
    void emptyHistoryIsLinearizable() {
        assertThat(check(List.of())).isEqualTo(new Linearizable());
    }

    @Test
    void sequentialWriteThenReadIsLinearizable() {
        assertThat(check(List.of(op(1, put("x", "a"), ok(), 0, 1), op(1, get("x"), value("a"), 2, 3))))
                .isEqualTo(new Linearizable());
    }

    @Test
    void readConcurrentWithWriteMaySeeEitherValue() {
        var write = op(1, put("x", "a"), ok(), 0, 10);
        assertThat(check(List.of(write, op(2, get("x"), value(null), 2, 5)))).isEqualTo(new Linearizable());
        assertThat(check(List.of(write, op(2, get("x"), value("a"), 2, 5)))).isEqualTo(new Linearizable());
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder() {
        var a = op(1, put("x", "a"), ok(), 0, 10);
        var b = op(2, put("x", "b"), ok(), 1, 9);
        assertThat(check(List.of(a, b, op(3, get("x"), value("a"), 11, 12)))).isEqualTo(new Linearizable());
        assertThat(check(List.of(a, b, op(3, get("x"), value("b"), 11, 12)))).isEqualTo(new Linearizable());
    }

    @Test
    void staleReadAfterCompletedOverwriteIsNotLinearizable() {
        var history = List.of(
                op(1, put("x", "a"), ok(), 0, 1), op(1, put("x", "b"), ok(), 2, 3), op(2, get("x"), value("a"), 4, 5));
        assertNotLinearizable(check(history), "'x'", "#2 client 2");
    }

    @Test
    void lostWriteIsNotLinearizable() {
        var history = List.of(op(1, put("x", "a"), ok(), 0, 1), op(2, get("x"), value(null), 2, 3));
        assertNotLinearizable(check(history), "'x'", "#1 client 2");
    }

    @Test
    void twoReadsSeeingNewThenOldAreNotLinearizable() {
        // Either read alone is fine next to the long write; together they would need the write undone.
        var history = List.of(
                op(1, put("x", "a"), ok(), 0, 100),
                op(2, get("x"), value("a"), 10, 20),
                op(3, get("x"), value(null), 30, 40));
        assertNotLinearizable(check(history), "'x'", "#2 client 3");
        assertThat(check(history.subList(0, 2))).isEqualTo(new Linearizable());
        assertThat(check(List.of(history.get(0), history.get(2)))).isEqualTo(new Linearizable());
    }

    @Test
    void twoSuccessfulCompareAndSetsFromTheSameValueAreNotLinearizable() {
        var history = List.of(op(1, cas("x", null, "a"), ok(), 0, 10), op(2, cas("x", null, "b"), ok(), 0, 10));
        assertNotLinearizable(check(history), "'x'", "Cas");
        var oneFails = List.of(op(1, cas("x", null, "a"), ok(), 0, 10), op(2, cas("x", null, "b"), failed(), 0, 10));
        assertThat(check(oneFails)).isEqualTo(new Linearizable());
    }

    @Test
    void crashedWriteThatTookEffectIsLinearizable() {
        var history = List.of(
                Operation.<Input, Output>pending(1, put("x", "a"), 0),
                op(2, get("x"), value(null), 1, 2),
                op(2, get("x"), value("a"), 5, 6),
                op(3, get("x"), value("a"), 7, 8));
        assertThat(check(history)).isEqualTo(new Linearizable());
    }

    @Test
    void crashedWriteThatNeverTookEffectIsLinearizable() {
        var history = List.of(
                Operation.<Input, Output>pending(1, put("x", "a"), 0),
                op(2, get("x"), value(null), 5, 6),
                op(3, get("x"), value(null), 1_000, 1_001));
        assertThat(check(history)).isEqualTo(new Linearizable());
    }

    @Test
    void crashedWriteCannotTakeEffectBeforeItsInvocation() {
        var history = List.of(op(2, get("x"), value("a"), 0, 5), Operation.<Input, Output>pending(1, put("x", "a"), 6));
        assertNotLinearizable(check(history), "'x'", "#0 client 2");
    }

    @Test
    void equalTimestampsMeanOverlap() {
        var write = op(1, put("x", "a"), ok(), 0, 10);
        assertThat(check(List.of(write, op(2, get("x"), value(null), 10, 20)))).isEqualTo(new Linearizable());
        assertNotLinearizable(check(List.of(write, op(2, get("x"), value(null), 11, 20))), "'x'", "#1");
    }

    @Test
    void keysAreCheckedIndependentlyAndTheFailingKeyIsNamed() {
        var history = List.of(
                op(1, put("x", "a"), ok(), 0, 1),
                op(1, put("y", "b"), ok(), 2, 3),
                op(2, get("x"), value("a"), 4, 5),
                op(2, get("y"), value("stale"), 6, 7));
        var result = check(history);
        assertNotLinearizable(result, "partition 'y'", "#3 client 2");
        assertThat(((NotLinearizable) result).explanation()).doesNotContain("'x'");
    }

    @Test
    void explanationShowsTheStuckOperationAndTheOrderBeforeIt() {
        var history = List.of(
                op(1, put("x", "a"), ok(), 0, 1), op(1, put("x", "b"), ok(), 2, 3), op(2, get("x"), value("a"), 4, 5));
        String explanation = ((NotLinearizable) check(history)).explanation();
        assertThat(explanation)
                .contains("Shortest failing prefix: up to t=5")
                .contains("#2 client 2: Get[key=x] -> Value[valueOrNull=a] (invoked 4, returned 5)")
                .contains("reaches state State[values={x=b}]")
                .contains("#1 client 1: Put[key=x, value=b] -> Ok[] (invoked 2, returned 3)");
    }

    @Test
    void malformedInputsAreRefusedLoudly() {
        assertThatThrownBy(() -> op(1, get("x"), value("a"), 5, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Operation<>(1, get("x"), value("a"), 5, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinearizabilityChecker.check(new KvSpec(), List.of(), -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> check(List.of(op(1, put("x", "a"), value("a"), 0, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed history");
    }

    static void assertNotLinearizable(LinearizabilityResult result, String... mentions) {
        assertThat(result).isInstanceOf(NotLinearizable.class);
        assertThat(((NotLinearizable) result).explanation()).contains(mentions);
    }

    private static LinearizabilityResult check(List<Operation<Input, Output>> history) {
        return LinearizabilityChecker.check(new KvSpec(), history, BUDGET_STEPS);
    }

    static Operation<Input, Output> op(int client, Input input, Output output, long invokedAt, long returnedAt) {
        return new Operation<>(client, input, output, invokedAt, returnedAt);
    }

    static Input put(String key, String value) {
        return new Put(key, value);
    }

    static Input get(String key) {
        return new Get(key);
    }

    static Input cas(String key, String expected, String update) {
        return new Cas(key, expected, update);
    }

    static Output ok() {
        return new Ok();
    }

    static Output failed() {
        return new Failed();
    }

    static Output value(String valueOrNull) {
        return new Value(valueOrNull);
    }
}
