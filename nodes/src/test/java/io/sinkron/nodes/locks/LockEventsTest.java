package io.sinkron.nodes.locks;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.nodes.lock.LockEvent;
import io.sinkron.nodes.lock.LockMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which applied event ends a waiting acquire on a node that applies the log at its own pace. */
class LockEventsTest {

    private static final long SESSION = 7_001;
    private final LockEvents events = new LockEvents();

    @Test
    void aNodeReplayingItsLogDoesNotEndAWaitWithTheSessionsEarlierGrant() {
        // The acquire was answered Waiting by the entry at index 20, while this node still applies older entries: a
        // restarted follower replaying the session's earlier hold of the same lock.
        LockEvents.Waiter waiter = events.expect(SESSION, "x");
        events.applied(List.of(granted(10), new LockEvent.Released(11, SESSION, "x", 10)));
        events.waitingSince(SESSION, "x", waiter, 20);
        events.applied(List.of(granted(15)));
        assertThat(waiter.ended()).isNotDone();

        events.applied(List.of(granted(25)));

        assertThat(waiter.ended()).isCompletedWithValue(granted(25));
    }

    @Test
    void anEventAfterTheWaitingAnswerEndsTheWaitEvenIfItArrivedBeforeThatAnswer() {
        // On the leader the grant can apply before the proposal's reply reaches the caller.
        LockEvents.Waiter waiter = events.expect(SESSION, "x");
        events.applied(List.of(granted(10), granted(21)));
        assertThat(waiter.ended()).isNotDone();

        events.waitingSince(SESSION, "x", waiter, 20);

        assertThat(waiter.ended()).isCompletedWithValue(granted(21));
        // The session's next acquire of the lock (an upgrade, say) waits afresh: it must not be handed this grant.
        LockEvents.Waiter next = events.expect(SESSION, "x");
        assertThat(next).isNotSameAs(waiter);
        assertThat(next.ended()).isNotDone();
    }

    @Test
    void twoCallsOfOneSessionAboutOneLockEachEndWithAnEventAfterTheirOwnAnswer() {
        // A shared acquire waits (answered at 10) and the client gives up on it; its grant (at 12) has not applied here
        // yet when the same session asks to upgrade. The upgrade (answered at 20) must not get the shared grant.
        LockEvents.Waiter shared = events.expect(SESSION, "x");
        events.waitingSince(SESSION, "x", shared, 10);
        LockEvents.Waiter upgrade = events.expect(SESSION, "x");
        events.applied(List.of(new LockEvent.Granted(12, SESSION, "x", LockMode.SHARED, 12)));
        events.waitingSince(SESSION, "x", upgrade, 20);

        assertThat(shared.ended()).isCompletedWithValue(new LockEvent.Granted(12, SESSION, "x", LockMode.SHARED, 12));
        assertThat(upgrade.ended()).isNotDone();

        events.applied(List.of(granted(25)));

        assertThat(upgrade.ended()).isCompletedWithValue(granted(25));
    }

    @Test
    void endingEventsOfOtherLocksOrSessionsAreNotThisWaitsEnd() {
        LockEvents.Waiter waiter = events.expect(SESSION, "x");
        events.waitingSince(SESSION, "x", waiter, 20);
        events.applied(List.of(
                new LockEvent.Granted(30, SESSION, "y", LockMode.EXCLUSIVE, 30),
                new LockEvent.Granted(31, SESSION + 1, "x", LockMode.EXCLUSIVE, 31)));
        assertThat(waiter.ended()).isNotDone();

        events.applied(List.of(new LockEvent.Timeout(32, SESSION, "x")));

        assertThat(waiter.ended()).isCompletedWithValue(new LockEvent.Timeout(32, SESSION, "x"));
        // Once ended, a new acquire of the same session and lock waits afresh.
        assertThat(events.expect(SESSION, "x")).isNotSameAs(waiter);
    }

    @Test
    void aSessionsExpiryEndsItsWaitOnlyWhenItComesAfterTheWaitingAnswer() {
        LockEvents.Waiter waiter = events.expect(SESSION, "x");
        events.waitingSince(SESSION, "x", waiter, 20);
        events.applied(List.of(new LockEvent.Expired(19, SESSION)));
        assertThat(waiter.ended()).isNotDone();

        events.applied(List.of(new LockEvent.Expired(22, SESSION)));

        assertThat(waiter.ended()).isCompletedWithValue(new LockEvent.Expired(22, SESSION));
    }

    private static LockEvent.Granted granted(long index) {
        return new LockEvent.Granted(index, SESSION, "x", LockMode.EXCLUSIVE, index);
    }
}
