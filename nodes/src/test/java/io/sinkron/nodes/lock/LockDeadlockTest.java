package io.sinkron.nodes.lock;

import static io.sinkron.nodes.lock.LockMode.EXCLUSIVE;
import static io.sinkron.nodes.lock.LockMode.SHARED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

// Proves deadlock detection on the wait-for graph: an acquire that would close a 2- or 3-cycle (through holders or
// through FIFO queue order) is refused at once with the cycle and a deadlock event, and changes no lock or session;
// compatible holders are no edges, so shared locking does not raise false deadlocks.
class LockDeadlockTest {

    private final LockHarness h = new LockHarness();
    private final long a = h.open();
    private final long b = h.open();
    private final long c = h.open();

    @Test
    void aTwoCycleIsRefusedWithTheCycle() {
        h.grant(a, "l1", EXCLUSIVE);
        h.grant(b, "l2", EXCLUSIVE);
        assertThat(((LockReply.Waiting) h.acquire(a, "l2", EXCLUSIVE, 10_000)).position())
                .isEqualTo(1);
        h.events();
        State before = state();

        LockReply reply = h.acquire(b, "l1", EXCLUSIVE, 10_000);

        List<CycleStep> cycle = List.of(new CycleStep(b, "l1"), new CycleStep(a, "l2"));
        assertThat(reply).isEqualTo(new LockReply.Deadlock(cycle, false));
        assertThat(h.events()).containsExactly(new LockEvent.Deadlock(h.lastIndex(), b, "l1", cycle));
        assertThat(state()).isEqualTo(before);
        assertThat(h.machine.stats().deadlocksTotal()).isEqualTo(1);
    }

    @Test
    void aThreeCycleIsRefusedWithTheCycleInWaitOrder() {
        h.grant(a, "l1", EXCLUSIVE);
        h.grant(b, "l2", EXCLUSIVE);
        h.grant(c, "l3", SHARED);
        h.acquire(a, "l2", SHARED, 10_000);
        h.acquire(b, "l3", EXCLUSIVE, 10_000);
        State before = state();

        LockReply reply = h.acquire(c, "l1", SHARED, 10_000);

        assertThat(reply)
                .isEqualTo(new LockReply.Deadlock(
                        List.of(new CycleStep(c, "l1"), new CycleStep(a, "l2"), new CycleStep(b, "l3")), false));
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void aCycleThroughQueueOrderIsFound() {
        long x = h.open();
        h.grant(b, "n", EXCLUSIVE);
        h.grant(x, "l", SHARED);
        h.acquire(a, "l", EXCLUSIVE, 10_000); // a waits for x
        // b is compatible with x, but must stay behind a (FIFO): b waits for a.
        assertThat(((LockReply.Waiting) h.acquire(b, "l", SHARED, 10_000)).position())
                .isEqualTo(2);

        LockReply reply = h.acquire(a, "n", EXCLUSIVE, 10_000);

        assertThat(reply)
                .isEqualTo(new LockReply.Deadlock(List.of(new CycleStep(a, "n"), new CycleStep(b, "l")), false));
    }

    @Test
    void compatibleHoldersAreNoEdges() {
        h.grant(a, "l", SHARED);
        h.grant(b, "m", EXCLUSIVE);
        h.acquire(a, "m", EXCLUSIVE, 10_000); // a waits for b

        assertThat(h.acquire(b, "l", SHARED, 10_000)).isInstanceOf(LockReply.Granted.class);
        assertThat(((LockReply.Waiting) h.acquire(c, "m", SHARED, 10_000)).position())
                .isEqualTo(2);
    }

    @Test
    void waitingForAnotherSessionsChainIsNoDeadlock() {
        h.grant(a, "l1", EXCLUSIVE);
        h.acquire(b, "l1", EXCLUSIVE, 10_000);
        h.grant(c, "l2", EXCLUSIVE);

        assertThat(((LockReply.Waiting) h.acquire(a, "l2", EXCLUSIVE, 10_000)).position())
                .isEqualTo(1);
        assertThat(h.acquire(c, "l3", EXCLUSIVE, 10_000)).isInstanceOf(LockReply.Granted.class);
    }

    @Test
    void aTryLockIsRefusedAsBusyBeforeAnyDeadlockSearch() {
        h.grant(a, "l1", EXCLUSIVE);
        h.grant(b, "l2", EXCLUSIVE);
        h.acquire(a, "l2", EXCLUSIVE, 10_000);

        assertThat(h.acquire(b, "l1", EXCLUSIVE, 0)).isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.BUSY));
    }

    @Test
    void aLongCycleIsReportedTruncated() {
        LockHarness small = new LockHarness(new LockLimits(10, 10, 10, 10, 10, 2, 1000));
        long s1 = small.open();
        long s2 = small.open();
        long s3 = small.open();
        small.grant(s1, "l1", EXCLUSIVE);
        small.grant(s2, "l2", EXCLUSIVE);
        small.grant(s3, "l3", EXCLUSIVE);
        small.acquire(s1, "l2", EXCLUSIVE, 10_000);
        small.acquire(s2, "l3", EXCLUSIVE, 10_000);

        LockReply reply = small.acquire(s3, "l1", EXCLUSIVE, 10_000);

        assertThat(reply)
                .isEqualTo(new LockReply.Deadlock(List.of(new CycleStep(s3, "l1"), new CycleStep(s1, "l2")), true));
    }

    @Test
    void aSearchOverItsBudgetLetsTheRequestWaitAndIsCounted() {
        LockHarness small = new LockHarness(new LockLimits(10, 10, 10, 10, 10, 8, 1));
        long s1 = small.open(60_000);
        long s2 = small.open(60_000);
        small.grant(s1, "l1", EXCLUSIVE);
        small.grant(s2, "l2", EXCLUSIVE);
        small.acquire(s1, "l2", EXCLUSIVE, 10_000);

        // A real deadlock the search could not finish looking at: it waits, and its timeout will end it.
        assertThat(((LockReply.Waiting) small.acquire(s2, "l1", EXCLUSIVE, 10_000)).position())
                .isEqualTo(1);
        assertThat(small.machine.stats().deadlockSearchesAbandonedTotal()).isEqualTo(1);
        small.tick(10_000);
        assertThat(small.view("l1").waiters()).isEmpty();
    }

    /** Every lock and session, to compare before and after a refused request. */
    private State state() {
        return new State(
                h.machine.list("", "", LockStateMachine.LIST_LIMIT_MAX),
                List.of(h.machine.session(a), h.machine.session(b), h.machine.session(c)));
    }

    private record State(LockPage locks, List<Optional<SessionView>> sessions) {}
}
