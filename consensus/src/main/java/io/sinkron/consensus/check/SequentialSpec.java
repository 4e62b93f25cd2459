package io.sinkron.consensus.check;

import java.util.Optional;

/**
 * The sequential specification an implementation must look like: a deterministic state machine over immutable
 * states.
 *
 * <p>States must be immutable values with {@code equals}/{@code hashCode}: the checker memoizes (linearized set,
 * state) pairs and compares states by value. Implementations are called from one thread, must not block, and must be
 * pure functions of their arguments. They may throw {@link IllegalArgumentException} for a malformed history (an
 * output of the wrong kind for its input); the checker lets it propagate.
 */
public interface SequentialSpec<S, I, O> {

    /** The state before any operation; never null. */
    S initialState();

    /**
     * The state after {@code input} was applied to {@code state} and answered {@code output}, or empty if that answer
     * is impossible in {@code state}. {@code output == null} means the answer is unknown: accept any.
     */
    Optional<S> apply(S state, I input, O output);

    /**
     * P-compositionality (Herlihy &amp; Wing, locality): a history is linearizable iff each of its per-object
     * sub-histories is, so the checker searches each partition on its own. Inputs with equal keys (by {@code equals})
     * share a partition; the key must be non-null. The default puts everything in one partition.
     */
    default Object partitionKey(I input) {
        return "";
    }
}
