package io.sinkron.consensus.check;

import java.util.Objects;

/**
 * One operation of a concurrent history, as a client saw it: what it asked, what it was told, and when (logical time,
 * e.g. simulation steps). Operation A precedes B in real time iff {@code A.returnedAt() < B.invokedAt()}; equal
 * timestamps mean the two overlap.
 *
 * <p>An operation that never answered (its client crashed or timed out) has {@code output == null} and {@code
 * returnedAt == Long.MAX_VALUE}: it may have taken effect at any point after {@code invokedAt}, or not at all. A
 * returned operation with {@code output == null} returned at {@code returnedAt} with an unknown answer, so any output
 * is accepted.
 *
 * @param client who issued it; informational, used in explanations
 * @param input the request; never null
 * @param output the answer, or null if unknown
 * @param invokedAt logical time of the invocation
 * @param returnedAt logical time of the answer, {@link Long#MAX_VALUE} if none came
 */
public record Operation<I, O>(int client, I input, O output, long invokedAt, long returnedAt) {

    public Operation {
        Objects.requireNonNull(input, "input");
        if (returnedAt < invokedAt) {
            throw new IllegalArgumentException(
                    "operation returned before it was invoked: invokedAt=" + invokedAt + ", returnedAt=" + returnedAt);
        }
        if (returnedAt == Long.MAX_VALUE && output != null) {
            throw new IllegalArgumentException("an operation that never returned cannot have an output: " + output);
        }
    }

    /** An operation whose client never heard back: it may or may not have taken effect after {@code invokedAt}. */
    public static <I, O> Operation<I, O> pending(int client, I input, long invokedAt) {
        return new Operation<>(client, input, null, invokedAt, Long.MAX_VALUE);
    }

    /** True if no answer ever came back. */
    public boolean isPending() {
        return returnedAt == Long.MAX_VALUE;
    }
}
