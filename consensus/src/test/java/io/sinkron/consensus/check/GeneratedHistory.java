package io.sinkron.consensus.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Builds key-value histories that are linearizable by construction: operations are executed one after another on a
 * sequential model, each at its own linearization point, and each is given a random real-time interval around that
 * point (never overlapping its own client's previous operation). Shared by the property test and the budget test.
 */
final class GeneratedHistory {

    /** Logical time between consecutive linearization points. */
    static final int POINT_SPACING = 10;

    /** Cap on how far an interval reaches before or after its linearization point. */
    static final int SLACK_MAX = 60;

    /**
     * One planned operation, in linearization order.
     *
     * @param slot which of the concurrent clients runs it (a crashed client's slot continues with a new client id)
     * @param kind 0 put, 1 get, 2 compare-and-set
     * @param keyIndex which key
     * @param casExpectsCurrent a compare-and-set expects the current value (so it succeeds) instead of a guess
     * @param invokeSlack how long before its linearization point it is invoked
     * @param returnSlack how long after its linearization point it returns
     * @param crashes its client never hears back
     * @param crashedTakesEffect for a crashed operation: whether it took effect anyway
     */
    record Step(
            int slot,
            int kind,
            int keyIndex,
            boolean casExpectsCurrent,
            int invokeSlack,
            int returnSlack,
            boolean crashes,
            boolean crashedTakesEffect) {}

    private GeneratedHistory() {}

    static String key(int keyIndex) {
        return "k" + keyIndex;
    }

    /** The history for {@code steps}, in invocation order of the plan (which is not sorted by time, on purpose). */
    static List<Operation<KvSpec.Input, KvSpec.Output>> build(List<Step> steps) {
        int n = steps.size();
        long[] point = new long[n];
        long[] nextPointOfSlot = new long[n];
        Map<Integer, Long> upcoming = new HashMap<>();
        for (int i = n - 1; i >= 0; i--) {
            point[i] = (long) POINT_SPACING * (i + 1);
            nextPointOfSlot[i] = upcoming.getOrDefault(steps.get(i).slot(), Long.MAX_VALUE);
            upcoming.put(steps.get(i).slot(), point[i]);
        }
        KvSpec spec = new KvSpec();
        KvSpec.State model = spec.initialState();
        Map<Integer, Integer> clientOfSlot = new HashMap<>();
        Map<Integer, Long> lastReturnOfSlot = new HashMap<>();
        int nextClient = 100;
        List<Operation<KvSpec.Input, KvSpec.Output>> history = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Step step = steps.get(i);
            KvSpec.Input input = input(step, i, model);
            long invokedAt =
                    Math.max(lastReturnOfSlot.getOrDefault(step.slot(), -1L) + 1, point[i] - step.invokeSlack());
            int client = clientOfSlot.computeIfAbsent(step.slot(), slot -> slot);
            boolean takesEffect = !step.crashes() || step.crashedTakesEffect();
            KvSpec.Output output = null;
            if (takesEffect) {
                output = outputOf(model, input);
                model = spec.apply(model, input, output).orElseThrow();
            }
            if (step.crashes()) {
                history.add(Operation.pending(client, input, invokedAt));
                clientOfSlot.put(step.slot(), nextClient++);
                lastReturnOfSlot.remove(step.slot());
            } else {
                // Return before this slot's next linearization point, so its next call can still precede that point.
                long returnedAt = Math.min(point[i] + step.returnSlack(), nextPointOfSlot[i] - 2);
                history.add(new Operation<>(client, input, output, invokedAt, returnedAt));
                lastReturnOfSlot.put(step.slot(), returnedAt);
            }
        }
        return history;
    }

    /** A plan of {@code count} steps drawn from a seeded generator (for tests that want one big fixed history). */
    static List<Step> randomSteps(Random random, int count, int slots, int keys, double crashProbability) {
        List<Step> steps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            steps.add(new Step(
                    random.nextInt(slots),
                    random.nextInt(3),
                    random.nextInt(keys),
                    random.nextBoolean(),
                    random.nextInt(SLACK_MAX + 1),
                    random.nextInt(SLACK_MAX + 1),
                    random.nextDouble() < crashProbability,
                    random.nextBoolean()));
        }
        return steps;
    }

    /** Values are unique per step ("v" + step index), so a read pins down exactly which write it saw. */
    private static KvSpec.Input input(Step step, int index, KvSpec.State model) {
        String key = key(step.keyIndex());
        return switch (step.kind()) {
            case 0 -> new KvSpec.Put(key, "v" + index);
            case 1 -> new KvSpec.Get(key);
            case 2 -> new KvSpec.Cas(key, step.casExpectsCurrent() ? model.get(key) : "v" + index / 2, "v" + index);
            default -> throw new IllegalArgumentException("unknown kind " + step.kind() + ", expected 0, 1 or 2");
        };
    }

    private static KvSpec.Output outputOf(KvSpec.State model, KvSpec.Input input) {
        return switch (input) {
            case KvSpec.Put put -> new KvSpec.Ok();
            case KvSpec.Get get -> new KvSpec.Value(model.get(get.key()));
            case KvSpec.Cas cas ->
                Objects.equals(cas.expected(), model.get(cas.key())) ? new KvSpec.Ok() : new KvSpec.Failed();
        };
    }
}
