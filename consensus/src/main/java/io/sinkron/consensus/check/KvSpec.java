package io.sinkron.consensus.check;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A replicated key-value register: {@link Put}, {@link Get} and compare-and-set {@link Cas} on string keys, with a
 * missing key reading as {@code null}. Partitioned by key, so each key's history is checked on its own.
 *
 * <p>Immutable and stateless; safe to share. A {@code Put} answered with anything but {@link Ok}, a {@code Get} with
 * anything but {@link Value} or a {@code Cas} with {@link Value} is a malformed history: {@link
 * IllegalArgumentException}.
 */
public final class KvSpec implements SequentialSpec<KvSpec.State, KvSpec.Input, KvSpec.Output> {

    /** A request; every request names one key. */
    public sealed interface Input permits Put, Get, Cas {
        String key();
    }

    /** Set {@code key} to {@code value}; answers {@link Ok}. */
    public record Put(String key, String value) implements Input {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Read {@code key}; answers {@link Value}. */
    public record Get(String key) implements Input {
        public Get {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Set {@code key} to {@code update} if it currently holds {@code expected} ({@code null}: if it is missing);
     * answers {@link Ok} if it did, {@link Failed} if not.
     */
    public record Cas(String key, String expected, String update) implements Input {
        public Cas {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(update, "update");
        }
    }

    /** An answer. */
    public sealed interface Output permits Ok, Value, Failed {}

    /** The write took effect. */
    public record Ok() implements Output {}

    /** What a read saw; {@code null} for a missing key. */
    public record Value(String valueOrNull) implements Output {}

    /** The compare-and-set did not match and changed nothing. */
    public record Failed() implements Output {}

    /** The register's contents: an immutable map without null values. */
    public record State(Map<String, String> values) {
        public State {
            values = Map.copyOf(values);
        }

        /** The value of {@code key}, null if missing. */
        public String get(String key) {
            return values.get(key);
        }

        State with(String key, String value) {
            Map<String, String> copy = new HashMap<>(values);
            copy.put(key, value);
            return new State(copy);
        }
    }

    @Override
    public State initialState() {
        return new State(Map.of());
    }

    @Override
    public Optional<State> apply(State state, Input input, Output output) {
        return switch (input) {
            case Put put -> {
                requireKind(input, output, output == null || output instanceof Ok);
                yield Optional.of(state.with(put.key(), put.value()));
            }
            case Get get -> {
                requireKind(input, output, output == null || output instanceof Value);
                boolean impossible =
                        output instanceof Value(String seen) && !Objects.equals(seen, state.get(get.key()));
                yield impossible ? Optional.empty() : Optional.of(state);
            }
            case Cas cas -> {
                requireKind(input, output, output == null || output instanceof Ok || output instanceof Failed);
                boolean matches = Objects.equals(cas.expected(), state.get(cas.key()));
                if (output != null && matches != output instanceof Ok) {
                    yield Optional.empty();
                }
                yield Optional.of(matches ? state.with(cas.key(), cas.update()) : state);
            }
        };
    }

    @Override
    public Object partitionKey(Input input) {
        return input.key();
    }

    private static void requireKind(Input input, Output output, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("malformed history: " + input + " cannot answer " + output);
        }
    }
}
