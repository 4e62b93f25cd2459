package io.sinkron.consensus.check;

// Proves the key-value spec's transitions one by one: which outputs are possible in which state, that unknown outputs
// are accepted, that states are values, and that malformed answers are refused.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.check.KvSpec.Cas;
import io.sinkron.consensus.check.KvSpec.Failed;
import io.sinkron.consensus.check.KvSpec.Get;
import io.sinkron.consensus.check.KvSpec.Ok;
import io.sinkron.consensus.check.KvSpec.Put;
import io.sinkron.consensus.check.KvSpec.State;
import io.sinkron.consensus.check.KvSpec.Value;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KvSpecTest {

    private final KvSpec spec = new KvSpec();
    private final State empty = spec.initialState();
    private final State xIsA = new State(Map.of("x", "a"));

    @Test
    void putSetsTheKeyAndAnswersOk() {
        assertThat(spec.apply(empty, new Put("x", "a"), new Ok())).contains(xIsA);
        assertThat(spec.apply(empty, new Put("x", "a"), null)).contains(xIsA);
    }

    @Test
    void getSeesOnlyTheCurrentValue() {
        assertThat(spec.apply(empty, new Get("x"), new Value(null))).contains(empty);
        assertThat(spec.apply(empty, new Get("x"), new Value("a"))).isEmpty();
        assertThat(spec.apply(xIsA, new Get("x"), new Value("a"))).contains(xIsA);
        assertThat(spec.apply(xIsA, new Get("x"), new Value(null))).isEmpty();
        assertThat(spec.apply(xIsA, new Get("x"), null)).contains(xIsA);
    }

    @Test
    void casSucceedsExactlyWhenTheExpectedValueIsCurrent() {
        State xIsB = new State(Map.of("x", "b"));
        assertThat(spec.apply(xIsA, new Cas("x", "a", "b"), new Ok())).contains(xIsB);
        assertThat(spec.apply(xIsA, new Cas("x", "a", "b"), new Failed())).isEmpty();
        assertThat(spec.apply(xIsA, new Cas("x", "z", "b"), new Failed())).contains(xIsA);
        assertThat(spec.apply(xIsA, new Cas("x", "z", "b"), new Ok())).isEmpty();
        assertThat(spec.apply(empty, new Cas("x", null, "a"), new Ok())).contains(xIsA);
        assertThat(spec.apply(xIsA, new Cas("x", "a", "b"), null)).contains(xIsB);
        assertThat(spec.apply(xIsA, new Cas("x", "z", "b"), null)).contains(xIsA);
    }

    @Test
    void statesAreValuesAndKeysPartitionTheHistory() {
        assertThat(spec.apply(empty, new Put("x", "a"), new Ok()))
                .isEqualTo(Optional.of(new State(Map.of("x", "a"))))
                .hasValueSatisfying(s -> assertThat(s.hashCode()).isEqualTo(xIsA.hashCode()));
        assertThat(spec.partitionKey(new Get("x"))).isEqualTo(spec.partitionKey(new Put("x", "b")));
        assertThat(spec.partitionKey(new Get("x"))).isNotEqualTo(spec.partitionKey(new Get("y")));
    }

    @Test
    void answersOfTheWrongKindAreRefused() {
        assertThatThrownBy(() -> spec.apply(empty, new Put("x", "a"), new Value("a")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> spec.apply(empty, new Get("x"), new Ok()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> spec.apply(empty, new Cas("x", null, "a"), new Value(null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Put("x", null)).isInstanceOf(NullPointerException.class);
    }
}
