package io.sinkron.nodes.lock;

import static io.sinkron.nodes.lock.LockMode.EXCLUSIVE;
import static io.sinkron.nodes.lock.LockMode.SHARED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

// Proves the state machine's promises to Raft and to clients: at-most-once replies per client (bounded table),
// malformed entries answered without effect, no-op and configuration entries, index gaps refused, snapshot + restore
// reproducing state and later replies exactly, corrupt snapshots refused, and the read queries.
class LockStateMachineTest {

    private final LockHarness h = new LockHarness();

    @Test
    void aRetriedCommandIsAppliedOnceAndAnsweredWithTheOriginalReply() {
        long s = h.open();
        LockCommand acquire = new LockCommand.Acquire("app-1", 7, h.now, s, "x", EXCLUSIVE, 0, 0);
        LockReply first = h.apply(acquire);
        long token = ((LockReply.Granted) first).token();
        h.release(s, "x", token);
        h.events();
        byte[] before = h.snapshot();

        LockReply retry = h.apply(acquire);

        assertThat(retry).isEqualTo(first);
        assertThat(h.machine.lock("x")).isEmpty();
        assertThat(h.events()).isEmpty();
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void aRetriedRefusalStaysRefusedEvenIfTheLockIsFreeNow() {
        long holder = h.open();
        long s = h.open();
        long token = h.grant(holder, "x", EXCLUSIVE);
        LockCommand tryLock = new LockCommand.Acquire("app-1", 1, h.now, s, "x", EXCLUSIVE, 0, 0);
        assertThat(h.apply(tryLock)).isInstanceOf(LockReply.Refused.class);
        h.release(holder, "x", token);

        // The client already saw "refused"; granting now would leave it holding a lock it does not know about.
        assertThat(h.apply(tryLock)).isInstanceOf(LockReply.Refused.class);
        assertThat(h.machine.lock("x")).isEmpty();
    }

    @Test
    void anOlderSequenceIsStaleAndChangesNothing() {
        long s = h.open();
        h.apply(new LockCommand.KeepAlive("app-1", 5, h.now, s));
        byte[] before = h.snapshot();

        LockReply reply = h.apply(new LockCommand.Acquire("app-1", 4, h.now, s, "x", EXCLUSIVE, 0, 0));

        assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                .isEqualTo(LockError.STALE_SEQUENCE));
        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.apply(new LockCommand.Acquire("app-1", 6, h.now, s, "x", EXCLUSIVE, 0, 0)))
                .isInstanceOf(LockReply.Granted.class);
    }

    @Test
    void sessionOpeningIsDeduplicatedToo() {
        LockCommand open = new LockCommand.OpenSession("app-1", 1, h.now, h.newSessionId(), 5_000);
        LockReply first = h.apply(open);

        assertThat(h.apply(open)).isEqualTo(first);
        assertThat(h.machine.stats().sessions()).isEqualTo(1);
    }

    @Test
    void theClientTableIsBoundedAndForgetsTheClientSeenLeastRecently() {
        LockHarness small = new LockHarness(new LockLimits(10, 10, 10, 10, 3, 8, 1000));
        openAs(small, "c1", 1);
        openAs(small, "c2", 1);
        openAs(small, "c3", 1);
        openAs(small, "c1", 2); // c1 is now the most recent
        openAs(small, "c4", 1); // a fourth client: c2 is forgotten
        int sessions = small.machine.stats().sessions();

        openAs(small, "c2", 1); // forgotten: applied again
        openAs(small, "c1", 2); // remembered

        assertThat(small.machine.stats().sessions()).isEqualTo(sessions + 1);
    }

    @Test
    void nextDeadlineIsTheEarliestSessionWaitOrLockDelayDeadline() {
        assertThat(h.machine.nextDeadlineMs()).isEqualTo(Long.MAX_VALUE);
        long a = h.open(); // deadline START + 10 s
        long b = h.open(60_000); // deadline START + 60 s
        assertThat(h.machine.nextDeadlineMs()).isEqualTo(LockHarness.START_MS + 10_000);
        h.acquire(a, "x", EXCLUSIVE, 0, 30_000);
        h.acquire(b, "x", EXCLUSIVE, 5_000); // wait deadline START + 5 s
        assertThat(h.machine.nextDeadlineMs()).isEqualTo(LockHarness.START_MS + 5_000);

        h.tick(h.machine.nextDeadlineMs() - h.now); // a Tick at the deadline makes it happen: b's wait times out
        assertThat(h.view("x").waiters()).isEmpty();
        assertThat(h.machine.nextDeadlineMs()).isEqualTo(LockHarness.START_MS + 10_000);

        h.tick(h.machine.nextDeadlineMs() - h.now); // a expires: x is lost and its 30 s lock-delay starts
        assertThat(h.machine.session(a)).isEmpty();
        assertThat(h.machine.nextDeadlineMs()).isEqualTo(LockHarness.START_MS + 40_000);

        h.tick(h.machine.nextDeadlineMs() - h.now - 1); // one ms early: nothing happens
        assertThat(h.view("x").delayUntilMs()).isEqualTo(LockHarness.START_MS + 40_000);
        h.tick(1);
        assertThat(h.machine.lock("x")).isEmpty();
        assertThat(h.machine.nextDeadlineMs()).isEqualTo(LockHarness.START_MS + 60_000);

        h.close(b);
        assertThat(h.machine.nextDeadlineMs()).isEqualTo(Long.MAX_VALUE);
    }

    private static void openAs(LockHarness harness, String clientId, long sequence) {
        harness.apply(new LockCommand.OpenSession(clientId, sequence, harness.now, harness.newSessionId(), 5_000));
    }

    @Test
    void malformedEntriesAreAnsweredAndChangeNothing() {
        long s = h.open();
        h.grant(s, "x", SHARED);
        h.events();
        byte[] before = h.snapshot();
        byte[] good = new LockCommand.KeepAlive("c", 1, h.now + 99_999, s).encode();
        List<byte[]> malformed = new ArrayList<>();
        malformed.add(new byte[0]);
        malformed.add(new byte[] {9, 1});
        malformed.add(new byte[] {1, 77});
        malformed.add(java.util.Arrays.copyOf(good, good.length - 1));
        malformed.add(java.util.Arrays.copyOf(good, good.length + 1));
        byte[] badClient = good.clone();
        badClient[4] = ' ';
        malformed.add(badClient);

        for (byte[] bytes : malformed) {
            LockReply reply = LockReply.decode(h.applyBytes(bytes));
            assertThat(reply).isInstanceOfSatisfying(LockReply.Error.class, e -> assertThat(e.error())
                    .isEqualTo(LockError.MALFORMED_COMMAND));
        }
        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.events()).isEmpty();
    }

    @Test
    void noopAndConfigurationEntriesOnlyAdvanceTheIndex() {
        byte[] before = h.snapshot();
        h.noop();
        byte[] reply =
                h.machine.apply(new LogEntry(1, 2, new EntryPayload.Config(ClusterConfig.ofVoters(Set.of(1, 2, 3)))));

        assertThat(reply).isEmpty();
        assertThat(h.machine.appliedIndex()).isEqualTo(2);
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void aGapInTheAppliedIndexesIsABug() {
        h.noop();
        assertThatThrownBy(() -> h.machine.apply(new LogEntry(1, 3, new EntryPayload.Noop())))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void snapshotAndRestoreReproduceStateAndLaterReplies() {
        long a = h.open();
        long b = h.open(60_000);
        long c = h.open();
        h.grant(a, "x", SHARED);
        h.grant(b, "x", SHARED);
        h.acquire(c, "x", EXCLUSIVE, 30_000);
        h.acquire(a, "x", EXCLUSIVE, 20_000);
        h.acquire(c, "y", EXCLUSIVE, 0, 5_000);
        h.apply(new LockCommand.KeepAlive("app-1", 3, h.now, a));
        h.tick(1_000);
        h.events();

        LockHarness copy = h.copy();

        assertThat(copy.snapshot()).isEqualTo(h.snapshot());
        assertThat(copy.machine.appliedIndex()).isEqualTo(h.machine.appliedIndex());
        assertThat(copy.machine.stats()).isEqualTo(h.machine.stats());
        assertThat(copy.apply(new LockCommand.KeepAlive("app-1", 3, h.now, a)))
                .isEqualTo(h.apply(new LockCommand.KeepAlive("app-1", 3, h.now, a)));
        for (LockHarness each : List.of(h, copy)) {
            each.tick(9_000); // a and c expire: x keeps b alone, y enters its lock-delay
        }
        assertThat(copy.events()).isEqualTo(h.events()).isNotEmpty();
        assertThat(copy.snapshot()).isEqualTo(h.snapshot());
        assertThat(copy.view("x")).isEqualTo(h.view("x"));
        assertThat(h.view("y").delayUntilMs()).isPositive();
    }

    @Test
    void restoringTheBootstrapSnapshotEmptiesTheState() {
        h.grant(h.open(), "x", EXCLUSIVE);
        h.machine.restore(Snapshot.bootstrap(SnapshotMeta.bootstrap(ClusterConfig.ofVoters(Set.of(1)))));

        assertThat(h.machine.appliedIndex()).isZero();
        assertThat(h.machine.lock("x")).isEmpty();
        assertThat(h.machine.stats()).isEqualTo(new LockStats(0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(h.machine.drainEvents()).isEmpty();
    }

    @Test
    void aCorruptSnapshotIsRefused() {
        h.grant(h.open(), "x", EXCLUSIVE);
        byte[] good = h.snapshot();
        SnapshotMeta meta = new SnapshotMeta(h.lastIndex(), 1, ClusterConfig.ofVoters(Set.of(1)));
        LockStateMachine other = new LockStateMachine();

        assertThatThrownBy(() -> other.restore(new Snapshot(meta, java.util.Arrays.copyOf(good, good.length - 1))))
                .isInstanceOf(IllegalStateException.class);
        byte[] danglingHolder = good.clone();
        danglingHolder[4 + 6 * 8 + 4 + 7] ^= 1; // the session's id: the lock's holder no longer exists
        assertThatThrownBy(() -> other.restore(new Snapshot(meta, danglingHolder)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void queriesShowHoldersWaitersSessionsAndPagesOfLocks() {
        long a = h.open();
        long b = h.open();
        long t = h.grant(a, "app/a", EXCLUSIVE);
        h.acquire(b, "app/a", SHARED, 5_000);
        for (String name : List.of("app/b", "app/c", "other", "app/d")) {
            h.grant(a, name, SHARED);
        }

        assertThat(h.view("app/a"))
                .isEqualTo(new LockView(
                        "app/a",
                        List.of(new LockView.Holder(a, EXCLUSIVE, t, h.now)),
                        List.of(new LockView.Waiter(b, SHARED, false, h.now, h.now + 5_000)),
                        0));
        assertThat(h.machine.session(b))
                .contains(new SessionView(
                        b, LockHarness.TTL_MS, h.now + LockHarness.TTL_MS, List.of(), List.of("app/a")));
        LockPage first = h.machine.list("app/", "", 3);
        assertThat(first.locks()).extracting(LockView::name).containsExactly("app/a", "app/b", "app/c");
        assertThat(first.nextCursor()).isEqualTo("app/c");
        LockPage second = h.machine.list("app/", first.nextCursor(), 3);
        assertThat(second.locks()).extracting(LockView::name).containsExactly("app/d");
        assertThat(second.nextCursor()).isEmpty();
        assertThat(h.machine.list("", "", 10).locks()).hasSize(5);
        assertThat(h.machine.list("zzz", "", 10).locks()).isEmpty();
        assertThatThrownBy(() -> h.machine.list("", "", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queriesDoNotChangeTheState() {
        long s = h.open();
        h.apply(new LockCommand.Acquire("app-1", 1, h.now, s, "x", EXCLUSIVE, 0, 0));
        h.apply(new LockCommand.KeepAlive("app-2", 1, h.now, s));
        byte[] before = h.snapshot();

        h.machine.lock("x");
        h.machine.list("", "", 5);
        h.machine.session(s);
        h.machine.stats();

        assertThat(h.snapshot()).isEqualTo(before);
    }
}
