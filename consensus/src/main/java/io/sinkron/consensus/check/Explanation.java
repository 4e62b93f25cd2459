package io.sinkron.consensus.check;

import java.util.List;

/** Renders verdicts for humans. Every list is cut to a named maximum so an explanation stays readable. */
final class Explanation {

    /** How many operations of the longest valid order to show (the last ones: they led into the dead end). */
    static final int ORDER_SHOWN_MAX = 8;

    /** How many open operations to show at the stuck point. */
    static final int OPEN_SHOWN_MAX = 12;

    private Explanation() {}

    static String outOfBudget(Object key, int opCount, long stepsUsed, int depth) {
        return "search budget exhausted after " + stepsUsed + " steps in partition " + keyText(key) + " (" + opCount
                + " operations; the current partial linearization had " + depth + " of them)";
    }

    static <S, I, O> String notLinearizable(PartitionSearch<S, I, O> search, PartitionSearch.StuckPoint<S> stuck) {
        Operation<I, O> stuckOp = search.op(stuck.stuckOp());
        int[] order = stuck.linearizedOrder();
        StringBuilder text = new StringBuilder();
        text.append("partition ")
                .append(keyText(search.key()))
                .append(" (")
                .append(search.opCount())
                .append(" operations) is not linearizable.\n");
        text.append("Shortest failing prefix: up to t=")
                .append(stuckOp.returnedAt())
                .append(", when this operation returned; every operation that returned earlier fits a valid order,")
                .append(" but no valid order lets this one take effect in time:\n  ")
                .append(describe(search, stuck.stuckOp()))
                .append('\n');
        text.append("A longest valid order of the earlier operations (")
                .append(order.length)
                .append(order.length > ORDER_SHOWN_MAX ? ", last " + ORDER_SHOWN_MAX + " shown" : "")
                .append(") reaches state ")
                .append(stuck.state())
                .append(order.length == 0 ? " (the initial state)" : "")
                .append(":\n");
        for (int i = Math.max(0, order.length - ORDER_SHOWN_MAX); i < order.length; i++) {
            text.append("  ").append(describe(search, order[i])).append('\n');
        }
        List<Integer> open = stuck.openOps();
        text.append("Operations invoked but not yet placed at that point, each tried next without success (")
                .append(open.size())
                .append(open.size() > OPEN_SHOWN_MAX ? ", first " + OPEN_SHOWN_MAX + " shown" : "")
                .append("):\n");
        for (int i = 0; i < Math.min(open.size(), OPEN_SHOWN_MAX); i++) {
            text.append("  ").append(describe(search, open.get(i))).append('\n');
        }
        text.append("(#n is the operation's index in the checked history.)");
        return text.toString();
    }

    private static <S, I, O> String describe(PartitionSearch<S, I, O> search, int op) {
        Operation<I, O> operation = search.op(op);
        String answer = operation.isPending() ? "no answer" : String.valueOf(operation.output());
        String returned = operation.isPending() ? "never returned" : "returned " + operation.returnedAt();
        return "#" + search.historyIndex(op) + " client " + operation.client() + ": " + operation.input() + " -> "
                + answer + " (invoked " + operation.invokedAt() + ", " + returned + ")";
    }

    static String keyText(Object key) {
        return key instanceof String s ? "'" + s + "'" : String.valueOf(key);
    }
}
