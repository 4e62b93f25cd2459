package io.sinkron.nodes.lock;

import static io.sinkron.nodes.lock.LockHarness.START_MS;
import static io.sinkron.nodes.lock.LockHarness.TTL_MS;
import static io.sinkron.nodes.lock.LockMode.EXCLUSIVE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the session rules on log time by applying encoded entries: ids are the node's choice (positive; re-opening a
// live one is idempotent for its client and ttl, else SESSION_EXISTS; a dead one's id may be reused), deadlines move
// with keep-alives and never backwards, expiry (due at any entry, guaranteed by Ticks) releases locks, reports them
// lost and wakes waiters, close releases without lock-delay, LeaderChanged grants a full ttl, bad ttls change nothing.
class LockSessionsTest {

    private final LockHarness h = new LockHarness();

    @Test
    void sessionIdIsTheOneTheCommandCarriesAndItsDeadlineIsNowPlusTtl() {
        h.noop();
        long id = 1L << 40; // unrelated to the log index: the node picks it for every shard

        LockReply reply = h.apply(new LockCommand.OpenSession("", 0, START_MS, id, 5_000));

        assertThat(reply).isEqualTo(new LockReply.SessionOpened(id, 5_000, START_MS + 5_000));
        assertThat(h.machine.session(id)).hasValueSatisfying(s -> {
            assertThat(s.ttlMs()).isEqualTo(5_000);
            assertThat(s.deadlineMs()).isEqualTo(START_MS + 5_000);
        });
        assertThat(h.machine.session(h.lastIndex())).isEmpty();
    }

    @Test
    void sessionIdsMustBePositive() {
        h.open();
        byte[] before = h.snapshot();
        for (long id : new long[] {0, -1, Long.MIN_VALUE}) {
            LockReply reply = h.apply(new LockCommand.OpenSession("", 0, h.now, id, TTL_MS));
            assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.INVALID_ARGUMENT));
        }
        assertThat(h.snapshot()).isEqualTo(before);
        h.open(Long.MAX_VALUE, TTL_MS);
    }

    @Test
    void reopeningALiveSessionBySameClientAndTtlIsIdempotentAndKeepsItsDeadline() {
        long id = h.newSessionId();
        LockReply first = h.apply(new LockCommand.OpenSession("node-1", 1, h.now, id, TTL_MS));
        long token = h.grant(id, "a", EXCLUSIVE);
        h.events();
        h.now += 4_000;

        // A new sequence, so not an at-most-once retry: the state machine itself recognises the session.
        LockReply again = h.apply(new LockCommand.OpenSession("node-1", 2, h.now, id, TTL_MS));

        assertThat(again).isEqualTo(first).isEqualTo(new LockReply.SessionOpened(id, TTL_MS, START_MS + TTL_MS));
        assertThat(h.machine.session(id)).hasValueSatisfying(s -> {
            assertThat(s.deadlineMs()).isEqualTo(START_MS + TTL_MS);
            assertThat(s.held()).containsExactly("a");
        });
        assertThat(h.view("a").holders()).extracting(LockView.Holder::token).containsExactly(token);
        assertThat(h.events()).isEmpty();
        assertThat(h.machine.stats().sessions()).isEqualTo(1);
        assertThat(h.machine.clockMs()).isEqualTo(START_MS + 4_000);
    }

    @Test
    void reopeningALiveSessionByAnotherClientOrWithAnotherTtlIsRefused() {
        long id = h.newSessionId();
        h.apply(new LockCommand.OpenSession("node-1", 1, h.now, id, TTL_MS));
        h.grant(id, "a", EXCLUSIVE);
        h.events();
        LockView lock = h.view("a");
        long deadline = h.machine.session(id).orElseThrow().deadlineMs();

        for (LockCommand open : List.of(
                new LockCommand.OpenSession("node-2", 1, h.now, id, TTL_MS),
                new LockCommand.OpenSession("", 0, h.now, id, TTL_MS),
                new LockCommand.OpenSession("node-1", 2, h.now, id, TTL_MS + 1))) {
            assertThat(h.apply(open)).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.SESSION_EXISTS));
        }

        assertThat(h.machine.session(id)).hasValueSatisfying(s -> {
            assertThat(s.ttlMs()).isEqualTo(TTL_MS);
            assertThat(s.deadlineMs()).isEqualTo(deadline);
        });
        assertThat(h.view("a")).isEqualTo(lock);
        assertThat(h.events()).isEmpty();
    }

    @Test
    void theOpenerSurvivesASnapshot() {
        long id = h.newSessionId();
        h.apply(new LockCommand.OpenSession("node-1", 1, h.now, id, TTL_MS));
        LockHarness copy = h.copy();

        assertThat(copy.apply(new LockCommand.OpenSession("node-1", 2, copy.now, id, TTL_MS)))
                .isInstanceOf(LockReply.SessionOpened.class);
        assertThat(copy.apply(new LockCommand.OpenSession("node-2", 1, copy.now, id, TTL_MS)))
                .isInstanceOfSatisfying(
                        LockReply.Error.class, e -> assertThat(e.error()).isEqualTo(LockError.SESSION_EXISTS));
    }

    @Test
    void theIdOfAClosedOrExpiredSessionMayBeReused() {
        long closed = h.open();
        h.close(closed);
        long expired = h.open();
        h.now += TTL_MS;

        // The open's own entry expires the old session first, so its id is free again (even for another client).
        LockReply reopened = h.apply(new LockCommand.OpenSession("other", 1, h.now, expired, 3_000));
        assertThat(reopened).isEqualTo(new LockReply.SessionOpened(expired, 3_000, h.now + 3_000));
        assertThat(h.events()).contains(new LockEvent.Expired(h.lastIndex(), expired));
        assertThat(h.open(closed, 60_000)).isEqualTo(closed);
        assertThat(h.machine.session(closed))
                .hasValueSatisfying(s -> assertThat(s.ttlMs()).isEqualTo(60_000));
    }

    @Test
    void ttlOutsideItsBoundsIsInvalidAndChangesNothing() {
        h.open();
        byte[] before = h.snapshot();
        for (long ttl : new long[] {-1, 0, LockLimits.TTL_MS_MIN - 1, LockLimits.TTL_MS_MAX + 1, Long.MAX_VALUE}) {
            LockReply reply = h.apply(new LockCommand.OpenSession("", 0, h.now, h.newSessionId(), ttl));
            assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.INVALID_ARGUMENT));
        }
        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.events()).isEmpty();
        h.open(LockLimits.TTL_MS_MIN);
        h.open(LockLimits.TTL_MS_MAX);
    }

    @Test
    void keepAliveMovesTheDeadlineToNowPlusTtl() {
        long s = h.open();
        h.now += 4_000;

        assertThat(h.keepAlive(s)).isEqualTo(new LockReply.SessionKept(s, TTL_MS, START_MS + 4_000 + TTL_MS));
        h.tick(TTL_MS - 1);
        assertThat(h.machine.session(s)).isPresent();
        h.tick(1);
        assertThat(h.machine.session(s)).isEmpty();
    }

    @Test
    void unknownSessionsAreNotFound() {
        long s = h.open();
        h.close(s);

        for (LockReply reply : new LockReply[] {
            h.keepAlive(s), h.close(s), h.keepAlive(12345), h.acquire(s, "a", EXCLUSIVE, 0), h.release(s, "a", 1)
        }) {
            assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.SESSION_NOT_FOUND));
        }
    }

    @Test
    void expiryReleasesLocksReportsThemLostAndWakesTheNextWaiter() {
        long a = h.open();
        long b = h.open(60_000);
        long tokenA = h.grant(a, "db/primary", EXCLUSIVE);
        assertThat(((LockReply.Waiting) h.acquire(b, "db/primary", EXCLUSIVE, 60_000)).position())
                .isEqualTo(1);
        h.events();

        h.tick(TTL_MS);

        long tick = h.lastIndex();
        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Expired(tick, a),
                        new LockEvent.Lost(tick, a, "db/primary", tokenA),
                        new LockEvent.Granted(tick, b, "db/primary", EXCLUSIVE, tick));
        assertThat(h.machine.session(a)).isEmpty();
        assertThat(h.view("db/primary").holders()).containsExactly(new LockView.Holder(b, EXCLUSIVE, tick, h.now));
        assertThat(h.machine.stats().expiriesTotal()).isEqualTo(1);
    }

    @Test
    void expiryIsDueExactlyAtTheDeadline() {
        long s = h.open();
        h.tick(TTL_MS - 1);
        assertThat(h.machine.session(s)).isPresent();
        h.tick(1);
        assertThat(h.machine.session(s)).isEmpty();
    }

    @Test
    void anyEntryExpiresWhatIsDueNotOnlyTicks() {
        long s = h.open();
        h.now += TTL_MS;

        // The keep-alive comes too late: its own entry's time already expired the session.
        assertThat(h.keepAlive(s)).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                .isEqualTo(LockError.SESSION_NOT_FOUND));
        assertThat(h.events()).containsExactly(new LockEvent.Expired(h.lastIndex(), s));
    }

    @Test
    void expiryCancelsTheSessionsWaits() {
        long holder = h.open(60_000);
        long waiter = h.open();
        h.grant(holder, "a", EXCLUSIVE);
        h.acquire(waiter, "a", EXCLUSIVE, 60_000);
        h.events();

        h.tick(TTL_MS);

        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Expired(h.lastIndex(), waiter),
                        new LockEvent.Cancelled(h.lastIndex(), waiter, "a"));
        assertThat(h.view("a").waiters()).isEmpty();
    }

    @Test
    void closeReleasesLocksWithoutLockDelayAndWakesWaiters() {
        long a = h.open();
        long b = h.open();
        long token = h.grant(a, "a", EXCLUSIVE);
        h.acquire(a, "b", EXCLUSIVE, 0, 30_000);
        h.acquire(b, "a", EXCLUSIVE, 5_000);
        h.events();

        assertThat(h.close(a)).isEqualTo(new LockReply.SessionClosed(a, 2, 0));

        long close = h.lastIndex();
        assertThat(h.events())
                .containsExactly(
                        new LockEvent.Released(close, a, "a", token),
                        new LockEvent.Released(close, a, "b", token + 1),
                        new LockEvent.Granted(close, b, "a", EXCLUSIVE, close));
        assertThat(h.machine.lock("b")).isEmpty(); // released, not lost: no lock-delay
    }

    @Test
    void theClockNeverGoesBackwards() {
        h.tick(5_000);
        long clock = h.machine.clockMs();

        LockReply reply = h.apply(new LockCommand.OpenSession("", 0, clock - 4_000, h.newSessionId(), TTL_MS));

        assertThat(h.machine.clockMs()).isEqualTo(clock);
        assertThat(reply).isInstanceOfSatisfying(LockReply.SessionOpened.class, o -> assertThat(o.deadlineMs())
                .isEqualTo(clock + TTL_MS));
    }

    @Test
    void leaderChangeGivesEveryLiveSessionAFullTtlFromItsClock() {
        long s = h.open();
        h.tick(TTL_MS - 1_000);
        // The new leader's clock is 5 s ahead of the old one's; the session's keep-alives went to the old leader.
        long newLeaderNow = h.now + 5_000;

        h.leaderChanged(newLeaderNow);

        assertThat(h.machine.session(s))
                .hasValueSatisfying(v -> assertThat(v.deadlineMs()).isEqualTo(newLeaderNow + TTL_MS));
        assertThat(h.events()).isEmpty();
        h.tick(TTL_MS - 1);
        assertThat(h.machine.session(s)).isPresent();
        h.tick(1);
        assertThat(h.machine.session(s)).isEmpty();
    }

    @Test
    void withoutTheLeaderChangeTheSameJumpWouldHaveExpiredTheSession() {
        long s = h.open();
        h.tick(TTL_MS - 1_000);

        h.tick(5_000);

        assertThat(h.machine.session(s)).isEmpty();
    }

    @Test
    void leaderChangeNeverShortensADeadline() {
        long s = h.open(LockLimits.TTL_MS_MAX);
        long deadline = h.machine.session(s).orElseThrow().deadlineMs();
        h.leaderChanged(h.now - 50_000);

        assertThat(h.machine.session(s).orElseThrow().deadlineMs()).isEqualTo(deadline);
    }

    @Test
    void sessionsAreLimited() {
        LockHarness small = new LockHarness(new LockLimits(2, 10, 10, 10, 10, 8, 1000));
        small.open();
        small.open();
        byte[] before = small.snapshot();

        LockReply reply = small.apply(new LockCommand.OpenSession("", 0, small.now, small.newSessionId(), TTL_MS));

        assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                .isEqualTo(LockError.SESSIONS_FULL));
        assertThat(small.snapshot()).isEqualTo(before);
    }

    @Test
    void anIdempotentReopenIsAnsweredEvenWhenSessionsAreFull() {
        LockHarness small = new LockHarness(new LockLimits(2, 10, 10, 10, 10, 8, 1000));
        long a = small.open();
        small.open();

        assertThat(small.open(a, TTL_MS)).isEqualTo(a);
    }
}
