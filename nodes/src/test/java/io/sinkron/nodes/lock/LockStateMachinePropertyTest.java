package io.sinkron.nodes.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

// Proves the lock state machine against a reference model over random interleavings of sessions (open, keep-alive,
// close, expiry), acquires (shared, exclusive, waits, upgrades, lock-delay), releases (right and wrong tokens),
// cancels, deadlock aborts (AbortWait), force-releases, ticks, leader changes with skewed clocks and client retries.
// Session ids come from a
// counter, as a node picks them, and are sometimes reused: live ones (idempotent re-open or SESSION_EXISTS), dead
// ones (a fresh session under an old id) and non-positive ones. After every step: the model agrees with the views,
// safety holds on the views (one exclusive holder, no lost wake-up, live holders, acyclic wait-for graph), reported
// cycles are real, waitForEdges lists exactly the views' wait-for graph, a twin fed the same entries answers alike
// (determinism), and a replica restored from a snapshot
// reproduces the state and every later reply and event.
class LockStateMachinePropertyTest {

    private static final List<String> NAMES = List.of("a", "b/c", "d");
    private static final long[] TTLS_MS = {3_000, 10_000, 10_000, 500};
    private static final long[] WAITS_MS = {0, 1_500, 5_000, 20_000};
    private static final long[] DELAYS_MS = {0, 0, 2_500};

    enum Op {
        OPEN,
        KEEP_ALIVE,
        CLOSE,
        ACQUIRE,
        RELEASE,
        CANCEL,
        ABORT,
        FORCE_RELEASE,
        TICK,
        LEADER_CHANGE,
        RETRY
    }

    /** One random step; each field is a choice the driver maps onto the current state. */
    record Step(
            Op op, int session, int lock, LockMode mode, int waitChoice, int delayChoice, int advanceMs, int extra) {}

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void theMachineAgreesWithTheModelAndStaysSafe(@ForAll("steps") List<Step> steps) {
        new Run().execute(steps);
        // The generator must keep reaching the rare paths, or the checks above prove little.
        Statistics.label("events").coverage(coverage -> {
            for (String kind : List.of("Deadlock", "Timeout", "Lost", "Expired", "Cancelled")) {
                coverage.check(kind).count(c -> c > 0);
            }
        });
        Statistics.label("upgrades").coverage(coverage -> {
            coverage.check("Granted").count(c -> c > 0);
            coverage.check("Waiting").count(c -> c > 0);
        });
        Statistics.label("opens").coverage(coverage -> {
            for (String kind : List.of("new", "idempotent", "reused", "SESSION_EXISTS", "INVALID_ARGUMENT")) {
                coverage.check(kind).count(c -> c > 0);
            }
        });
        Statistics.label("replies").coverage(coverage -> {
            for (String kind : List.of("Refused", "WRONG_TOKEN", "WaitCancelled", "ForceReleased", "NOT_WAITING")) {
                coverage.check(kind).count(c -> c > 0);
            }
        });
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(Op.OPEN)),
                Tuple.of(12, Arbitraries.just(Op.KEEP_ALIVE)),
                Tuple.of(3, Arbitraries.just(Op.CLOSE)),
                Tuple.of(30, Arbitraries.just(Op.ACQUIRE)),
                Tuple.of(15, Arbitraries.just(Op.RELEASE)),
                Tuple.of(4, Arbitraries.just(Op.CANCEL)),
                Tuple.of(3, Arbitraries.just(Op.ABORT)),
                Tuple.of(2, Arbitraries.just(Op.FORCE_RELEASE)),
                Tuple.of(12, Arbitraries.just(Op.TICK)),
                Tuple.of(3, Arbitraries.just(Op.LEADER_CHANGE)),
                Tuple.of(5, Arbitraries.just(Op.RETRY)));
        Arbitrary<Step> step = Combinators.combine(
                        op,
                        Arbitraries.integers().between(0, 9),
                        Arbitraries.integers().between(0, NAMES.size() - 1),
                        Arbitraries.of(LockMode.class),
                        Arbitraries.integers().between(0, WAITS_MS.length - 1),
                        Arbitraries.integers().between(0, DELAYS_MS.length - 1),
                        Arbitraries.integers().between(0, 4_000),
                        Arbitraries.integers().between(0, 99))
                .as(Step::new);
        // Uniform lengths: jqwik's default size distribution favours short lists, and bugs need long histories.
        return Arbitraries.integers().between(20, 150).flatMap(n -> step.list().ofSize(n));
    }

    /** One execution: the machine under test, its twin, a restored copy, and the model. */
    private static final class Run {
        private final LockStateMachine machine = new LockStateMachine();
        private final LockStateMachine twin = new LockStateMachine();
        private LockStateMachine restored = new LockStateMachine();
        private final LockModel model = new LockModel();
        private final List<Long> sessions = new ArrayList<>();
        private final Map<String, Long> sequences = new HashMap<>();
        private final Map<String, LockCommand> lastByClient = new HashMap<>();
        private long now = LockHarness.START_MS;
        private long index;
        private long lastSessionId = 1_000;

        void execute(List<Step> steps) {
            for (Step step : steps) {
                Optional<LockCommand> command = command(step);
                if (command.isPresent()) {
                    apply(command.get());
                }
                if (step.extra() < 10) {
                    restored = new LockStateMachine();
                    restored.restore(LockHarness.snapshotOf(machine, index));
                    assertThat(restored.snapshot()).isEqualTo(machine.snapshot());
                }
            }
        }

        private Optional<LockCommand> command(Step original) {
            boolean needsSession =
                    switch (original.op()) {
                        case KEEP_ALIVE, CLOSE, ACQUIRE, RELEASE, CANCEL, ABORT -> true;
                        default -> false;
                    };
            // With nobody alive, most steps would only exercise "session not found": open one instead.
            Step step = needsSession && model.sessions.isEmpty() && original.session() < 8
                    ? new Step(Op.OPEN, 0, 0, LockMode.SHARED, original.extra() % 3, 0, original.advanceMs(), 0)
                    : original;
            String name = NAMES.get(step.lock());
            long session = session(step, name);
            if (step.op() != Op.TICK) {
                now += step.advanceMs() / 20;
            }
            String client = step.extra() % 4 == 3 ? "" : "c" + step.extra() % 4;
            long openId = 0;
            long ttlMs = TTLS_MS[step.waitChoice()];
            if (step.op() == Op.OPEN) {
                openId = openId(step);
                // Half the re-opens of a live id come from its opener with its ttl: the idempotent path.
                if (model.sessions.containsKey(openId) && step.mode() == LockMode.SHARED) {
                    client = model.openers.get(openId);
                    ttlMs = model.sessions.get(openId)[0];
                }
            }
            long sequence = client.isEmpty() ? 0 : sequences.merge(client, 1L, Long::sum);
            LockCommand command =
                    switch (step.op()) {
                        case OPEN -> new LockCommand.OpenSession(client, sequence, now, openId, ttlMs);
                        case KEEP_ALIVE -> new LockCommand.KeepAlive(client, sequence, now, session);
                        case CLOSE -> new LockCommand.CloseSession(client, sequence, now, session);
                        case ACQUIRE ->
                            new LockCommand.Acquire(
                                    client,
                                    sequence,
                                    now,
                                    session,
                                    name,
                                    step.mode(),
                                    WAITS_MS[step.waitChoice()],
                                    DELAYS_MS[step.delayChoice()]);
                        case RELEASE ->
                            new LockCommand.Release(client, sequence, now, session, name, token(step, session, name));
                        case CANCEL -> new LockCommand.CancelWait(client, sequence, now, session, name);
                        case ABORT ->
                            new LockCommand.AbortWait(
                                    client,
                                    sequence,
                                    now,
                                    session,
                                    name,
                                    List.of(new CycleStep(session, name), new CycleStep(999, "elsewhere")));
                        case FORCE_RELEASE -> new LockCommand.ForceRelease(client, sequence, now, name);
                        case TICK -> new LockCommand.Tick(now += step.advanceMs());
                        // A new leader's clock may be behind or ahead of the old one's.
                        case LEADER_CHANGE ->
                            new LockCommand.LeaderChanged(now = Math.max(0, now + step.advanceMs() - 2_000));
                        case RETRY -> lastByClient.get("c" + step.extra() % 3);
                    };
            if (command instanceof LockCommand.FromClient c && !c.clientId().isEmpty() && step.op() != Op.RETRY) {
                lastByClient.put(c.clientId(), command);
            }
            return Optional.ofNullable(command);
        }

        /**
         * The id an OPEN asks for, as a node would choose it: mostly a new one from a counter; sometimes a live one
         * (an idempotent re-open or SESSION_EXISTS), a closed or expired one (reused), or one that is not positive.
         */
        private long openId(Step step) {
            List<Long> live = new ArrayList<>(model.sessions.keySet());
            List<Long> dead = new ArrayList<>(sessions);
            dead.removeAll(live);
            return switch (step.session()) {
                case 6, 7 -> live.isEmpty() ? ++lastSessionId : live.get(step.extra() % live.size());
                case 8 -> dead.isEmpty() ? ++lastSessionId : dead.get(step.extra() % dead.size());
                case 9 -> step.extra() % 2 == 0 ? -(step.extra() % 3) : ++lastSessionId;
                default -> ++lastSessionId;
            };
        }

        /**
         * Mostly a live session, for a release mostly a holder of the lock and for a cancel mostly a waiter; sometimes
         * a dead or unknown one.
         */
        private long session(Step step, String name) {
            if (step.session() >= 8) {
                return sessions.isEmpty() ? 999 : sessions.get(step.extra() % sessions.size());
            }
            Optional<LockView> view = machine.lock(name);
            List<Long> candidates = new ArrayList<>();
            if (step.op() == Op.RELEASE && view.isPresent()) {
                view.get().holders().forEach(h -> candidates.add(h.session()));
            } else if ((step.op() == Op.CANCEL || step.op() == Op.ABORT) && view.isPresent()) {
                view.get().waiters().forEach(w -> candidates.add(w.session()));
            }
            if (candidates.isEmpty()) {
                candidates.addAll(model.sessions.keySet());
            }
            return candidates.isEmpty() ? 999 : candidates.get(step.session() % candidates.size());
        }

        /** Mostly the hold's current token; sometimes a wrong one. */
        private long token(Step step, long session, String name) {
            Optional<Long> current = machine.lock(name).flatMap(v -> v.holders().stream()
                    .filter(h -> h.session() == session)
                    .map(LockView.Holder::token)
                    .findFirst());
            return step.extra() > 85 || current.isEmpty() ? index - step.extra() % 3 : current.get();
        }

        private void apply(LockCommand command) {
            boolean fresh = model.isNew(command);
            byte[] before = machine.snapshot();
            boolean upgrade = command instanceof LockCommand.Acquire acquire
                    && acquire.mode() == LockMode.EXCLUSIVE
                    && machine.lock(acquire.name()).stream()
                            .flatMap(v -> v.holders().stream())
                            .anyMatch(h -> h.session() == acquire.session() && h.mode() == LockMode.SHARED);
            LogEntry entry = new LogEntry(1, ++index, new EntryPayload.Command(command.encode()));
            byte[] replyBytes = machine.apply(entry);
            List<LockEvent> events = machine.drainEvents();
            LockReply reply = LockReply.decode(replyBytes);
            Statistics.label("replies")
                    .collect(
                            reply instanceof LockReply.Error e
                                    ? e.error().name()
                                    : reply.getClass().getSimpleName());
            if (upgrade) {
                Statistics.label("upgrades").collect(reply.getClass().getSimpleName());
            }
            events.forEach(e -> Statistics.label("events").collect(e.getClass().getSimpleName()));

            assertThat(twin.apply(entry)).as("twin's reply").isEqualTo(replyBytes);
            assertThat(twin.drainEvents()).as("twin's events").isEqualTo(events);
            assertThat(restored.apply(entry)).as("restored replica's reply").isEqualTo(replyBytes);
            assertThat(restored.drainEvents()).as("restored replica's events").isEqualTo(events);
            byte[] after = machine.snapshot();
            assertThat(twin.snapshot()).isEqualTo(after);
            assertThat(restored.snapshot()).isEqualTo(after);

            if (!fresh) {
                assertThat(after).as("a retry changes nothing").isEqualTo(before);
                assertThat(events).isEmpty();
                return;
            }
            model.begin(command);
            if (command instanceof LockCommand.OpenSession open) {
                Statistics.label("opens").collect(openKind(open, reply));
            }
            model.reply(command, reply);
            model.events(events, index);
            if (reply instanceof LockReply.SessionOpened opened && !sessions.contains(opened.session())) {
                sessions.add(opened.session());
            }

            checkAcquireReply(command, reply);
            if (command instanceof LockCommand.AbortWait abort && reply instanceof LockReply.Deadlock) {
                assertThat(machine.lock(abort.name()).stream().flatMap(v -> v.waiters().stream()))
                        .noneMatch(w -> w.session() == abort.session());
                assertThat(events)
                        .contains(new LockEvent.Deadlock(index, abort.session(), abort.name(), abort.cycle()));
            }
            machine.verify();
            model.compare(machine, sessions, NAMES);
            List<LockView> views = new ArrayList<>();
            NAMES.forEach(n -> machine.lock(n).ifPresent(views::add));
            LockModel.checkAcyclic(views);
            LockModel.checkEdges(views, machine.waitForEdges(LockStateMachine.WAIT_EDGES_MAX));
        }

        /** How an open went; called once time has passed on the model, before the open's effect. */
        private String openKind(LockCommand.OpenSession open, LockReply reply) {
            if (reply instanceof LockReply.Error e) {
                return e.error().name();
            }
            if (model.sessions.containsKey(open.session())) {
                return "idempotent";
            }
            return sessions.contains(open.session()) ? "reused" : "new";
        }

        private void checkAcquireReply(LockCommand command, LockReply reply) {
            if (!(command instanceof LockCommand.Acquire acquire)) {
                return;
            }
            switch (reply) {
                case LockReply.Granted granted ->
                    assertThat(machine.lock(acquire.name()).orElseThrow().holders())
                            .contains(new LockView.Holder(
                                    acquire.session(),
                                    granted.mode(),
                                    granted.token(),
                                    machine.lock(acquire.name()).orElseThrow().holders().stream()
                                            .filter(h -> h.session() == acquire.session())
                                            .findFirst()
                                            .orElseThrow()
                                            .sinceMs()));
                case LockReply.Waiting waiting ->
                    assertThat(machine.lock(acquire.name())
                                    .orElseThrow()
                                    .waiters()
                                    .get(waiting.position() - 1)
                                    .session())
                            .isEqualTo(acquire.session());
                case LockReply.Deadlock deadlock -> LockModel.checkCycle(deadlock, acquire, machine);
                case LockReply.Refused refused -> {
                    // A refusal is justified by the state the entry left: a lock-delay, a conflict or a queue.
                    assertThat(acquire.waitMs()).isZero();
                    LockView view = machine.lock(acquire.name()).orElseThrow();
                    boolean holds = view.holders().stream().anyMatch(h -> h.session() == acquire.session());
                    boolean busy = !LockModel.blockers(view, acquire.session(), acquire.mode(), 0)
                                    .isEmpty()
                            || (!holds && !view.waiters().isEmpty());
                    assertThat(
                                    refused.reason() == LockReply.Refused.Reason.LOCK_DELAY
                                            ? view.delayUntilMs() > machine.clockMs()
                                            : busy)
                            .as("refusal %s justified by %s", refused, view)
                            .isTrue();
                }
                default -> {}
            }
        }
    }
}
