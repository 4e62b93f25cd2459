package io.sinkron.nodes.lock;

import static io.sinkron.nodes.lock.LockMode.EXCLUSIVE;
import static io.sinkron.nodes.lock.LockMode.SHARED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the two pieces of cross-shard deadlock detection: waitForEdges lists the wait-for graph under the rules of
// the local search (conflicting holders, conflicting requests ahead; a blocker once per request), in a fixed order
// and bounded; AbortWait withdraws a wait exactly as CancelWait does (same queues, same grants behind it) but reports
// a Deadlock with the given cycle, and without a wait to abort changes nothing.
class LockAbortWaitTest {

    private final LockHarness h = new LockHarness();
    private final long a = h.open();
    private final long b = h.open();
    private final long c = h.open();
    private final List<CycleStep> cycle = List.of(new CycleStep(a, "elsewhere"), new CycleStep(b, "x"));

    @Test
    void abortRemovesTheWaitAndReportsTheCycle() {
        h.grant(a, "x", EXCLUSIVE);
        h.acquire(b, "x", EXCLUSIVE, 10_000);
        h.acquire(c, "x", SHARED, 10_000);
        h.events();

        LockReply reply = h.abortWait(b, "x", cycle);

        assertThat(reply).isEqualTo(new LockReply.Deadlock(cycle, false));
        assertThat(h.events()).containsExactly(new LockEvent.Deadlock(h.lastIndex(), b, "x", cycle));
        assertThat(h.view("x").waiters()).extracting(LockView.Waiter::session).containsExactly(c);
        assertThat(h.machine.session(b).orElseThrow().waiting()).isEmpty();
        assertThat(h.machine.stats().deadlocksTotal()).isEqualTo(1);
        assertThat(h.machine.waitForEdges(10)).extracting(WaitEdge::waiter).containsExactly(c);
        h.machine.verify();
    }

    @Test
    void abortWakesTheWaitersBehindLikeACancel() {
        h.grant(a, "x", SHARED);
        h.acquire(b, "x", EXCLUSIVE, 10_000); // blocked by a
        h.acquire(c, "x", SHARED, 10_000); // blocked by b ahead
        h.events();
        LockHarness cancelled = h.copy();

        assertThat(h.abortWait(b, "x", cycle)).isEqualTo(new LockReply.Deadlock(cycle, false));
        assertThat(cancelled.cancel(b, "x")).isEqualTo(new LockReply.WaitCancelled());

        long index = h.lastIndex();
        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Deadlock(index, b, "x", cycle),
                        new LockEvent.Granted(index, c, "x", SHARED, index));
        assertThat(cancelled.events())
                .containsExactly(
                        new LockEvent.Cancelled(index, b, "x"), new LockEvent.Granted(index, c, "x", SHARED, index));
        assertThat(h.view("x")).isEqualTo(cancelled.view("x"));
        for (long session : List.of(a, b, c)) {
            assertThat(h.machine.session(session)).isEqualTo(cancelled.machine.session(session));
        }
        h.machine.verify();
    }

    @Test
    void withoutAWaitNothingChanges() {
        h.grant(a, "x", EXCLUSIVE);
        h.acquire(b, "x", EXCLUSIVE, 10_000);
        h.events();
        byte[] before = h.snapshot();

        for (LockReply reply : List.of(
                h.abortWait(a, "x", cycle), // a holder, not a waiter
                h.abortWait(c, "x", cycle), // nothing to do with x
                h.abortWait(b, "y", cycle), // no such lock
                h.abortWait(999, "x", cycle))) { // no such session
            assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.NOT_WAITING));
        }
        assertThat(h.abortWait(b, "bad name", cycle))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.INVALID_ARGUMENT));

        assertThat(h.events()).isEmpty();
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void aCycleLongerThanTheShardsLimitIsInvalid() {
        LockHarness small = new LockHarness(new LockLimits(10, 10, 10, 10, 10, 2, 100));
        long x = small.open();
        long y = small.open();
        small.grant(x, "l", EXCLUSIVE);
        small.acquire(y, "l", EXCLUSIVE, 10_000);
        byte[] before = small.snapshot();

        List<CycleStep> three = List.of(new CycleStep(y, "l"), new CycleStep(x, "m"), new CycleStep(5, "n"));
        assertThat(small.abortWait(y, "l", three))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.INVALID_ARGUMENT));
        assertThat(small.snapshot()).isEqualTo(before);
    }

    @Test
    void edgesFollowTheLocalRulesInAFixedOrder() {
        long d = h.open();
        long e = h.open();
        h.grant(a, "l1", SHARED);
        h.grant(b, "l1", SHARED);
        long since = h.now;
        h.acquire(c, "l1", EXCLUSIVE, 10_000); // waits for both shared holders
        h.now += 5;
        h.acquire(d, "l1", SHARED, 10_000); // compatible holders, but an exclusive request ahead
        h.grant(a, "u", SHARED);
        h.grant(b, "u", SHARED);
        h.now += 5;
        h.acquire(a, "u", EXCLUSIVE, 10_000); // an upgrade: waits for the other holder
        h.acquire(e, "u", EXCLUSIVE, 10_000); // a holds and is queued ahead: one edge

        assertThat(h.machine.waitForEdges(100))
                .containsExactly(
                        new WaitEdge(c, "l1", a, since),
                        new WaitEdge(c, "l1", b, since),
                        new WaitEdge(d, "l1", c, since + 5),
                        new WaitEdge(a, "u", b, since + 10),
                        new WaitEdge(e, "u", a, since + 10),
                        new WaitEdge(e, "u", b, since + 10));
        assertThat(h.machine.waitForEdges(3))
                .isEqualTo(h.machine.waitForEdges(100).subList(0, 3));
        assertThat(h.copy().machine.waitForEdges(100)).isEqualTo(h.machine.waitForEdges(100));
    }

    @Test
    void edgeQueriesAreBounded() {
        assertThat(h.machine.waitForEdges(1)).isEmpty();
        assertThat(h.machine.waitForEdges(LockStateMachine.WAIT_EDGES_MAX)).isEmpty();
        assertThatThrownBy(() -> h.machine.waitForEdges(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.machine.waitForEdges(LockStateMachine.WAIT_EDGES_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCycleAcrossTwoShardsIsVisibleInTheirEdgesAndAbortBreaksIt() {
        LockHarness other = new LockHarness();
        other.open(a, LockHarness.TTL_MS);
        other.open(b, LockHarness.TTL_MS);
        h.grant(a, "x", EXCLUSIVE);
        other.grant(b, "y", EXCLUSIVE);
        h.acquire(b, "x", EXCLUSIVE, 10_000); // b waits for a here
        other.acquire(a, "y", EXCLUSIVE, 10_000); // a waits for b there: neither shard sees a cycle

        assertThat(h.machine.waitForEdges(10)).containsExactly(new WaitEdge(b, "x", a, h.now));
        assertThat(other.machine.waitForEdges(10)).containsExactly(new WaitEdge(a, "y", b, other.now));

        List<CycleStep> found = List.of(new CycleStep(a, "y"), new CycleStep(b, "x"));
        assertThat(other.abortWait(a, "y", found)).isEqualTo(new LockReply.Deadlock(found, false));
        assertThat(other.machine.waitForEdges(10)).isEmpty();
    }
}
