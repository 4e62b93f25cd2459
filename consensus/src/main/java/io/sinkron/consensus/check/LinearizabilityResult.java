package io.sinkron.consensus.check;

import java.util.Objects;

/** The verdict of {@link LinearizabilityChecker#check}. */
public sealed interface LinearizabilityResult {

    /** Every partition has an order of its operations that respects real time and the sequential spec. */
    record Linearizable() implements LinearizabilityResult {}

    /**
     * Some partition has no such order.
     *
     * @param explanation for a human: the partition key, the shortest failing prefix of its history (the operation that
     *     cannot be placed before it returns), a longest valid order of what came before and the operations involved
     */
    record NotLinearizable(String explanation) implements LinearizabilityResult {
        public NotLinearizable {
            Objects.requireNonNull(explanation, "explanation");
        }
    }

    /**
     * The step budget ran out before a verdict.
     *
     * @param reason which partition was being searched and how far the check got
     */
    record Inconclusive(String reason) implements LinearizabilityResult {
        public Inconclusive {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
