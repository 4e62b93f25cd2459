package io.sinkron.nodes.lock;

import static io.sinkron.nodes.lock.LockMode.EXCLUSIVE;
import static io.sinkron.nodes.lock.LockMode.SHARED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the lock rules one by one by applying encoded entries and reading replies, events and views: tokens are log
// indexes, try-lock refuses without effect, FIFO keeps readers behind a waiting writer, upgrades, idempotent
// re-acquire, fencing checks on release, lock-delay, wait timeouts, cancel and force-release.
class LockAcquireTest {

    private final LockHarness h = new LockHarness();
    private final long a = h.open();
    private final long b = h.open();
    private final long c = h.open();

    @Test
    void aGrantsTokenIsItsLogIndex() {
        long index = h.nextIndex();

        assertThat(h.acquire(a, "orders/42", EXCLUSIVE, 0)).isEqualTo(new LockReply.Granted(index, EXCLUSIVE));
        assertThat(h.events()).containsExactly(new LockEvent.Granted(index, a, "orders/42", EXCLUSIVE, index));
        assertThat(h.view("orders/42").holders()).containsExactly(new LockView.Holder(a, EXCLUSIVE, index, h.now));
    }

    @Test
    void aWaitingAcquireRetriedUnderItsKeyIsToldWhereItsWaitStandsNow() {
        long held = h.grant(a, "x", EXCLUSIVE);
        LockCommand.Acquire call = new LockCommand.Acquire("client-9", 41, h.now, b, "x", EXCLUSIVE, 60_000, 0);
        long answeredAt = h.nextIndex();
        assertThat(h.apply(call)).isEqualTo(new LockReply.Waiting(1, answeredAt));

        // Still queued: the same wait, dated by the entry that first answered it.
        assertThat(h.apply(call)).isEqualTo(new LockReply.Waiting(1, answeredAt));

        long grantedAt = h.nextIndex();
        h.release(a, "x", held);
        h.events();
        byte[] before = h.snapshot();
        // Granted since: the retry gets the grant (a caller whose first answer was lost would otherwise wait for an
        // event that has already happened), and nothing changes.
        assertThat(h.apply(call)).isEqualTo(new LockReply.Granted(grantedAt, EXCLUSIVE));
        assertThat(h.events()).isEmpty();
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void aWaitingAcquireRetriedAfterItsWaitRanOutIsRefusedNotLeftWaiting() {
        h.grant(a, "x", EXCLUSIVE);
        LockCommand.Acquire call = new LockCommand.Acquire("client-9", 42, h.now, b, "x", EXCLUSIVE, 1_000, 0);
        assertThat(h.apply(call)).isInstanceOf(LockReply.Waiting.class);
        h.tick(2_000); // the wait runs out
        assertThat(h.events()).contains(new LockEvent.Timeout(h.lastIndex(), b, "x"));
        byte[] before = h.snapshot();

        assertThat(h.apply(call)).isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.BUSY));
        assertThat(h.snapshot()).isEqualTo(before);

        // A session that is gone by the retry is told so.
        h.close(b);
        assertThat(h.apply(call)).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                .isEqualTo(LockError.SESSION_NOT_FOUND));
    }

    @Test
    void tryLockIsRefusedAtOnceAndChangesNothing() {
        h.grant(a, "x", EXCLUSIVE);
        h.events();
        byte[] before = h.snapshot();

        assertThat(h.acquire(b, "x", SHARED, 0)).isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.BUSY));
        assertThat(h.acquire(b, "x", EXCLUSIVE, 0)).isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.BUSY));

        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.events()).isEmpty();
    }

    @Test
    void sharedHoldersCoexistAndAnExclusiveRequestWaitsForAllOfThem() {
        long t1 = h.grant(a, "x", SHARED);
        long t2 = h.grant(b, "x", SHARED);
        assertThat(((LockReply.Waiting) h.acquire(c, "x", EXCLUSIVE, 10_000)).position())
                .isEqualTo(1);

        h.release(a, "x", t1);
        assertThat(h.view("x").waiters()).extracting(LockView.Waiter::session).containsExactly(c);
        h.release(b, "x", t2);

        assertThat(h.view("x").holders()).extracting(LockView.Holder::session).containsExactly(c);
    }

    @Test
    void aSharedRequestQueuesBehindAWaitingExclusiveOne() {
        long t = h.grant(a, "x", SHARED);
        h.acquire(b, "x", EXCLUSIVE, 10_000);

        // c could share with a, but b came first: no writer starvation.
        assertThat(((LockReply.Waiting) h.acquire(c, "x", SHARED, 10_000)).position())
                .isEqualTo(2);
        assertThat(h.acquire(c, "y", SHARED, 0)).isInstanceOf(LockReply.Granted.class);

        h.release(a, "x", t);
        assertThat(h.view("x").holders()).extracting(LockView.Holder::session).containsExactly(b);
        long tb = h.view("x").holders().getFirst().token();
        h.release(b, "x", tb);
        assertThat(h.view("x").holders()).extracting(LockView.Holder::session).containsExactly(c);
    }

    @Test
    void aReleaseGrantsTheCompatibleHeadOfTheQueueTogetherWithTheReleasesIndex() {
        long d = h.open();
        long e = h.open();
        long t = h.grant(a, "x", EXCLUSIVE);
        h.acquire(b, "x", SHARED, 10_000);
        h.acquire(c, "x", SHARED, 10_000);
        h.acquire(d, "x", EXCLUSIVE, 10_000);
        h.acquire(e, "x", SHARED, 10_000);
        h.events();

        h.release(a, "x", t);

        long release = h.lastIndex();
        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Released(release, a, "x", t),
                        new LockEvent.Granted(release, b, "x", SHARED, release),
                        new LockEvent.Granted(release, c, "x", SHARED, release));
        assertThat(h.view("x").waiters()).extracting(LockView.Waiter::session).containsExactly(d, e);
    }

    @Test
    void aLockFreedByTimeServesItsQueueBeforeTheRequestInTheSameEntry() {
        long holder = h.open(3_000);
        long waiter = h.open(60_000);
        long late = h.open(60_000);
        h.grant(holder, "x", EXCLUSIVE);
        h.acquire(waiter, "x", SHARED, 30_000);
        h.events();
        h.now += 3_000; // no Tick: the acquire's own entry expires the holder

        LockReply reply = h.acquire(late, "x", SHARED, 0);

        long index = h.lastIndex();
        assertThat(reply).isEqualTo(new LockReply.Granted(index, SHARED));
        assertThat(h.events())
                .containsSubsequence(
                        new LockEvent.Granted(index, waiter, "x", SHARED, index),
                        new LockEvent.Granted(index, late, "x", SHARED, index));
    }

    @Test
    void theOnlySharedHolderUpgradesAtOnceWithANewToken() {
        long shared = h.grant(a, "x", SHARED);
        h.acquire(b, "x", EXCLUSIVE, 10_000);
        long index = h.nextIndex();

        assertThat(h.acquire(a, "x", EXCLUSIVE, 0)).isEqualTo(new LockReply.Granted(index, EXCLUSIVE));
        assertThat(index).isGreaterThan(shared);
        assertThat(h.view("x").holders()).containsExactly(new LockView.Holder(a, EXCLUSIVE, index, h.now));
        assertThat(h.view("x").waiters()).extracting(LockView.Waiter::session).containsExactly(b);
    }

    @Test
    void anUpgradeWaitsInFrontOfTheQueueUntilTheOtherHoldersLeave() {
        h.grant(a, "x", SHARED);
        long tb = h.grant(b, "x", SHARED);
        h.acquire(c, "x", EXCLUSIVE, 10_000);

        assertThat(h.acquire(a, "x", EXCLUSIVE, 0)).isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.BUSY));
        assertThat(((LockReply.Waiting) h.acquire(a, "x", EXCLUSIVE, 10_000)).position())
                .isEqualTo(1);
        assertThat(h.view("x").waiters())
                .extracting(LockView.Waiter::session, LockView.Waiter::upgrade)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(a, true), org.assertj.core.groups.Tuple.tuple(c, false));
        h.events();

        h.release(b, "x", tb);

        long release = h.lastIndex();
        assertThat(h.events()).contains(new LockEvent.Granted(release, a, "x", EXCLUSIVE, release));
        assertThat(h.view("x").holders()).containsExactly(new LockView.Holder(a, EXCLUSIVE, release, h.now));
        assertThat(h.view("x").waiters()).extracting(LockView.Waiter::session).containsExactly(c);
    }

    @Test
    void aSecondUpgraderWouldDeadlockAndIsRefusedWithTheCycle() {
        h.grant(a, "x", SHARED);
        h.grant(b, "x", SHARED);
        h.acquire(a, "x", EXCLUSIVE, 10_000);
        LockView before = h.view("x");

        LockReply reply = h.acquire(b, "x", EXCLUSIVE, 10_000);

        assertThat(reply)
                .isEqualTo(new LockReply.Deadlock(List.of(new CycleStep(b, "x"), new CycleStep(a, "x")), false));
        assertThat(h.view("x")).isEqualTo(before);
    }

    @Test
    void reacquiringIsIdempotent() {
        long ex = h.grant(a, "x", EXCLUSIVE);
        long sh = h.grant(b, "y", SHARED);
        h.acquire(c, "x", SHARED, 10_000);
        h.events();
        byte[] before = h.snapshot();

        assertThat(h.acquire(a, "x", EXCLUSIVE, 10_000)).isEqualTo(new LockReply.Granted(ex, EXCLUSIVE));
        assertThat(h.acquire(a, "x", SHARED, 0)).isEqualTo(new LockReply.Granted(ex, EXCLUSIVE));
        assertThat(h.acquire(b, "y", SHARED, 0)).isEqualTo(new LockReply.Granted(sh, SHARED));
        assertThat(((LockReply.Waiting) h.acquire(c, "x", SHARED, 10_000)).position())
                .isEqualTo(1);
        assertThat(h.acquire(c, "x", EXCLUSIVE, 10_000))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.ALREADY_WAITING));

        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.events()).isEmpty();
    }

    @Test
    void tokensOnlyGrowPerLockAndAGrantCausedByAnotherEntryCarriesThatEntrysIndex() {
        long t1 = h.grant(a, "x", EXCLUSIVE);
        h.acquire(b, "x", EXCLUSIVE, 60_000, 0);
        h.acquire(c, "x", EXCLUSIVE, 60_000);
        h.release(a, "x", t1);
        long t2 = h.view("x").holders().getFirst().token();
        assertThat(t2).isEqualTo(h.lastIndex()).isGreaterThan(t1);

        h.tick(LockHarness.TTL_MS); // b and c expire in the same entry; nobody is left to grant to
        long d = h.open();
        long t3 = h.grant(d, "x", EXCLUSIVE);
        h.forceRelease("x");
        long t4 = h.grant(d, "x", SHARED);

        assertThat(List.of(t1, t2, t3, t4)).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aReleaseMustPresentTheCurrentToken() {
        long shared = h.grant(a, "x", SHARED);
        long upgraded = h.grant(a, "x", EXCLUSIVE);
        h.events();
        byte[] before = h.snapshot();

        assertThat(h.release(a, "x", shared)).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                .isEqualTo(LockError.WRONG_TOKEN));
        assertThat(h.release(b, "x", upgraded)).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                .isEqualTo(LockError.NOT_HOLDER));
        assertThat(h.release(a, "nothing", upgraded))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.NOT_HOLDER));
        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.events()).isEmpty();

        assertThat(h.release(a, "x", upgraded)).isEqualTo(new LockReply.Released(upgraded));
        assertThat(h.machine.lock("x")).isEmpty();
    }

    @Test
    void aLostHoldersLockDelayKeepsTheLockFromEveryoneUntilItEnds() {
        long holder = h.open(2_000);
        long waiter = h.open(60_000);
        h.acquire(holder, "x", EXCLUSIVE, 0, 5_000);
        h.acquire(waiter, "x", EXCLUSIVE, 60_000);
        h.keepAlive(waiter);

        h.tick(2_000); // holder expires
        long expiredAt = h.now;
        assertThat(h.view("x").holders()).isEmpty();
        assertThat(h.view("x").delayUntilMs()).isEqualTo(expiredAt + 5_000);
        assertThat(h.acquire(c, "x", SHARED, 0)).isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.LOCK_DELAY));
        h.tick(4_999);
        assertThat(h.view("x").holders()).isEmpty();
        h.events();

        h.tick(1);

        assertThat(h.events())
                .containsExactly(new LockEvent.Granted(h.lastIndex(), waiter, "x", EXCLUSIVE, h.lastIndex()));
        assertThat(h.view("x").delayUntilMs()).isZero();
    }

    @Test
    void aLockDelayWithNobodyWaitingStillBlocksAndThenTheLockDisappears() {
        long holder = h.open(2_000);
        h.acquire(holder, "x", EXCLUSIVE, 0, 3_000);
        h.keepAlive(a);
        h.tick(2_000);
        assertThat(h.machine.lock("x"))
                .hasValueSatisfying(v -> assertThat(v.holders()).isEmpty());

        h.tick(3_000);

        assertThat(h.machine.lock("x")).isEmpty();
        assertThat(h.acquire(a, "x", EXCLUSIVE, 0)).isInstanceOf(LockReply.Granted.class);
    }

    @Test
    void aLeaderChangeGivesARunningLockDelayItsFullLengthAgain() {
        long holder = h.open(2_000);
        h.acquire(holder, "x", EXCLUSIVE, 0, 5_000);
        h.tick(2_000);
        h.tick(3_000);
        // The new leader's clock is 4 s ahead: without the extension the lock-delay would be over.
        h.leaderChanged(h.now + 4_000);

        assertThat(h.view("x").delayUntilMs()).isEqualTo(h.now + 5_000);
        assertThat(h.acquire(a, "x", EXCLUSIVE, 0))
                .isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.LOCK_DELAY));
        h.tick(5_000);
        assertThat(h.acquire(a, "x", EXCLUSIVE, 0)).isInstanceOf(LockReply.Granted.class);
    }

    @Test
    void aReleasedHoldHasNoLockDelay() {
        long t = h.grant(a, "x", EXCLUSIVE);
        h.apply(new LockCommand.Acquire("", 0, h.now, b, "y", EXCLUSIVE, 0, 60_000));
        h.release(a, "x", t);

        assertThat(h.acquire(c, "x", EXCLUSIVE, 0)).isInstanceOf(LockReply.Granted.class);
    }

    @Test
    void aWaitThatRunsOutTimesOutAndUnblocksThoseBehindIt() {
        h.grant(a, "x", SHARED);
        h.acquire(b, "x", EXCLUSIVE, 2_000);
        h.acquire(c, "x", SHARED, 9_000);
        h.events();

        h.tick(1_999);
        assertThat(h.events()).isEmpty();
        h.tick(1);

        long tick = h.lastIndex();
        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Timeout(tick, b, "x"), new LockEvent.Granted(tick, c, "x", SHARED, tick));
        assertThat(h.machine.stats().timeoutsTotal()).isEqualTo(1);
    }

    @Test
    void anUpgradeThatTimesOutKeepsTheSharedHold() {
        long t = h.grant(a, "x", SHARED);
        h.grant(b, "x", SHARED);
        h.acquire(a, "x", EXCLUSIVE, 1_000);

        h.tick(1_000);

        assertThat(h.view("x").holders()).contains(new LockView.Holder(a, SHARED, t, LockHarness.START_MS));
        assertThat(h.view("x").waiters()).isEmpty();
    }

    @Test
    void releasingTheSharedHoldWithdrawsAPendingUpgrade() {
        long t = h.grant(a, "x", SHARED);
        h.grant(b, "x", SHARED);
        h.acquire(a, "x", EXCLUSIVE, 10_000);
        h.events();

        h.release(a, "x", t);

        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Released(h.lastIndex(), a, "x", t),
                        new LockEvent.Cancelled(h.lastIndex(), a, "x"));
        assertThat(h.view("x").waiters()).isEmpty();
    }

    @Test
    void cancellingAWaitLetsThoseBehindItIn() {
        h.grant(a, "x", SHARED);
        h.acquire(b, "x", EXCLUSIVE, 10_000);
        h.acquire(c, "x", SHARED, 10_000);

        assertThat(h.cancel(b, "x")).isEqualTo(new LockReply.WaitCancelled());

        assertThat(h.view("x").holders()).extracting(LockView.Holder::session).containsExactly(a, c);
        assertThat(h.cancel(b, "x")).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                .isEqualTo(LockError.NOT_WAITING));
    }

    @Test
    void forceReleaseTakesTheLockFromAllHoldersAndGrantsTheNext() {
        long ta = h.grant(a, "x", SHARED);
        long tb = h.grant(b, "x", SHARED);
        h.acquire(c, "x", EXCLUSIVE, 10_000);
        h.events();

        assertThat(h.forceRelease("x")).isEqualTo(new LockReply.ForceReleased(2));

        long force = h.lastIndex();
        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Lost(force, a, "x", ta),
                        new LockEvent.Lost(force, b, "x", tb),
                        new LockEvent.Granted(force, c, "x", EXCLUSIVE, force));
        assertThat(h.machine.session(a).orElseThrow().held()).isEmpty();
        assertThat(h.forceRelease("absent")).isEqualTo(new LockReply.ForceReleased(0));
    }

    @Test
    void forceReleaseAppliesTheHoldersLockDelay() {
        h.acquire(a, "x", EXCLUSIVE, 0, 1_000);
        h.forceRelease("x");

        assertThat(h.acquire(b, "x", EXCLUSIVE, 0))
                .isEqualTo(new LockReply.Refused(LockReply.Refused.Reason.LOCK_DELAY));
        h.tick(1_000);
        assertThat(h.acquire(b, "x", EXCLUSIVE, 0)).isInstanceOf(LockReply.Granted.class);
    }

    @Test
    void badArgumentsAreInvalidAndChangeNothing() {
        h.grant(a, "x", EXCLUSIVE);
        h.events();
        byte[] before = h.snapshot();
        List<LockCommand> bad = List.of(
                new LockCommand.Acquire("", 0, h.now, b, "", EXCLUSIVE, 0, 0),
                new LockCommand.Acquire("", 0, h.now, b, "has space", EXCLUSIVE, 0, 0),
                new LockCommand.Acquire("", 0, h.now, b, "é", EXCLUSIVE, 0, 0),
                new LockCommand.Acquire("", 0, h.now, b, "n".repeat(257), EXCLUSIVE, 0, 0),
                new LockCommand.Acquire("", 0, h.now, b, "x", EXCLUSIVE, -1, 0),
                new LockCommand.Acquire("", 0, h.now, b, "x", EXCLUSIVE, LockLimits.WAIT_MS_MAX + 1, 0),
                new LockCommand.Acquire("", 0, h.now, b, "x", EXCLUSIVE, 0, -1),
                new LockCommand.Acquire("", 0, h.now, b, "x", EXCLUSIVE, 0, LockLimits.LOCK_DELAY_MS_MAX + 1),
                new LockCommand.Release("", 0, h.now, a, "x y", 1),
                new LockCommand.CancelWait("", 0, h.now, a, "x\n"),
                new LockCommand.ForceRelease("", 0, h.now, "*"));

        for (LockCommand command : bad) {
            assertThat(h.apply(command))
                    .as("%s", command)
                    .isInstanceOfSatisfying(
                            LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.INVALID_ARGUMENT));
        }
        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.events()).isEmpty();
        assertThat(h.acquire(b, "n".repeat(256), EXCLUSIVE, 0)).isInstanceOf(LockReply.Granted.class);
    }

    @Test
    void waitersPerLockAreLimited() {
        LockHarness small = new LockHarness(new LockLimits(10, 10, 1, 10, 10, 8, 1000));
        long s1 = small.open();
        long s2 = small.open();
        long s3 = small.open();
        small.grant(s1, "x", EXCLUSIVE);
        small.acquire(s2, "x", EXCLUSIVE, 1_000);
        byte[] before = small.snapshot();

        assertThat(small.acquire(s3, "x", SHARED, 1_000))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.WAITERS_FULL));
        assertThat(small.snapshot()).isEqualTo(before);
    }

    @Test
    void locksPerSessionAreLimited() {
        LockHarness small = new LockHarness(new LockLimits(10, 10, 10, 2, 10, 8, 1000));
        long s1 = small.open();
        long s2 = small.open();
        small.grant(s1, "x", EXCLUSIVE);
        small.grant(s2, "y", EXCLUSIVE);
        small.acquire(s1, "y", EXCLUSIVE, 1_000);
        byte[] before = small.snapshot();

        assertThat(small.acquire(s1, "z", EXCLUSIVE, 0))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.SESSION_LOCKS_FULL));
        assertThat(small.snapshot()).isEqualTo(before);
    }

    @Test
    void locksAreLimited() {
        LockHarness small = new LockHarness(new LockLimits(10, 2, 10, 10, 10, 8, 1000));
        long s1 = small.open();
        small.grant(s1, "x", EXCLUSIVE);
        small.grant(s1, "y", SHARED);
        byte[] before = small.snapshot();

        assertThat(small.acquire(s1, "z", EXCLUSIVE, 0))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.LOCKS_FULL));
        assertThat(small.snapshot()).isEqualTo(before);
        long s2 = small.open();
        assertThat(small.acquire(s2, "y", SHARED, 0)).isInstanceOf(LockReply.Granted.class);
    }
}
