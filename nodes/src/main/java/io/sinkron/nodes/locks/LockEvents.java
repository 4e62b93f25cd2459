package io.sinkron.nodes.locks;

import io.sinkron.nodes.lock.LockCommand;
import io.sinkron.nodes.lock.LockEvent;
import io.sinkron.nodes.lock.LockReply;
import io.sinkron.nodes.lock.LockStateMachine;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where lock events leave the replicated state machines: the driver thread hands each shard's drained events here
 * after applying entries (on every replica), and here they complete the HTTP acquires waiting for them and reach
 * subscribers. Also decides the leader's lock duties (announce a new term, tick when a deadline passed). No
 * dependencies, so the shard state machines and the REST layer can both use it.
 */
@Singleton
public class LockEvents {

    /** Shortest gap between two clock ticks a leader proposes to one shard. */
    static final long TICK_INTERVAL_MIN_MS = 20;

    /** A waiting acquire: which session waits for which lock. */
    record WaitKey(long session, String name) {}

    /** Every call's own waiter, by session and lock; each list is changed only inside the map's compute. */
    private final Map<WaitKey, List<Waiter>> waiters = new ConcurrentHashMap<>();

    private final List<Consumer<LockEvent>> subscribers = new CopyOnWriteArrayList<>();
    // Driver thread only.
    private final Map<Integer, Long> lastTickMs = new ConcurrentHashMap<>();

    /**
     * An acquire that may have to wait: completed by the first event about its session and lock from an entry after
     * the one that answered it {@link LockReply.Waiting}. A node applies its log at its own pace (a follower that
     * forwarded the acquire, or a node catching up after a restart, may still be applying entries older than that
     * answer), so an earlier event, such as the grant of the session's previous hold of the same lock, must not end
     * this wait. Events that arrive before that index is known are kept until it is. Each call has its own waiter,
     * even when one session has several calls about one lock under way (a retried call, or an upgrade sent while an
     * earlier acquire's wait is still registered): each ends only with an event from after its own answer.
     */
    static final class Waiter {
        /** Events kept while the index is unknown; more than a wait's life cycle produces is never needed. */
        static final int EARLY_EVENTS_MAX = 64;

        private final CompletableFuture<LockEvent> ended = new CompletableFuture<>();
        private long after = -1; // guarded by this; -1 until the Waiting answer is known
        private List<LockEvent> early = new ArrayList<>(); // guarded by this

        /** Completes with the event that ended the wait. */
        CompletableFuture<LockEvent> ended() {
            return ended;
        }

        /** The wait was answered by the entry at {@code index} (0: unknown, any event ends it). */
        void waitingSince(long index) {
            LockEvent match = null;
            synchronized (this) {
                after = index;
                for (LockEvent event : early) {
                    if (event.index() > index) {
                        match = event;
                        break;
                    }
                }
                early = List.of();
            }
            if (match != null) {
                ended.complete(match);
            }
        }

        /**
         * Driver thread: whether an event about this waiter's session and lock ends its wait (the caller completes
         * it); kept for later while the Waiting answer's index is unknown.
         */
        synchronized boolean accepts(LockEvent event) {
            if (after < 0) {
                if (early.size() == EARLY_EVENTS_MAX) {
                    early.removeFirst();
                }
                early.add(event);
                return false;
            }
            return event.index() > after;
        }
    }

    /** Registers an acquire about to be proposed; its wait, if it has one, ends with a later event. */
    Waiter expect(long session, String name) {
        Waiter waiter = new Waiter();
        waiters.compute(new WaitKey(session, name), (k, list) -> {
            List<Waiter> all = list == null ? new ArrayList<>(1) : list;
            all.add(waiter);
            return all;
        });
        return waiter;
    }

    /**
     * The acquire was answered {@link LockReply.Waiting} by the entry at {@code index}: from now on only later events
     * end its wait, and one kept from before may end it at once (it then leaves the table).
     */
    void waitingSince(long session, String name, Waiter waiter, long index) {
        waiter.waitingSince(index);
        if (waiter.ended().isDone()) {
            forget(session, name, waiter);
        }
    }

    /** The acquire no longer waits (answered, or gave up). */
    void forget(long session, String name, Waiter waiter) {
        waiters.computeIfPresent(new WaitKey(session, name), (k, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    /** Adds a listener for every event applied on this node (called on the driver thread; must not block). */
    public void subscribe(Consumer<LockEvent> subscriber) {
        subscribers.add(subscriber);
    }

    /** Removes a listener. */
    public void unsubscribe(Consumer<LockEvent> subscriber) {
        subscribers.remove(subscriber);
    }

    /** Driver thread: the events one shard's machine produced while applying. */
    public void applied(LockStateMachine machine) {
        applied(machine.drainEvents());
    }

    /** Driver thread: events applied on this node, in log order. */
    void applied(List<LockEvent> events) {
        for (LockEvent event : events) {
            switch (event) {
                case LockEvent.Granted g -> complete(g.session(), g.name(), event);
                case LockEvent.Timeout t -> complete(t.session(), t.name(), event);
                case LockEvent.Cancelled c -> complete(c.session(), c.name(), event);
                case LockEvent.Deadlock d -> complete(d.session(), d.name(), event);
                case LockEvent.Lost l -> complete(l.session(), l.name(), event);
                case LockEvent.Expired e -> {
                    List<WaitKey> ofSession = new ArrayList<>();
                    waiters.keySet().forEach(k -> {
                        if (k.session() == e.session()) {
                            ofSession.add(k);
                        }
                    });
                    ofSession.forEach(k -> complete(k.session(), k.name(), event));
                }
                case LockEvent.Waiting w -> {}
                case LockEvent.Released r -> {}
            }
            for (Consumer<LockEvent> subscriber : subscribers) {
                subscriber.accept(event);
            }
        }
    }

    private void complete(long session, String name, LockEvent event) {
        List<Waiter> ended = new ArrayList<>(1);
        waiters.computeIfPresent(new WaitKey(session, name), (k, list) -> {
            for (java.util.Iterator<Waiter> all = list.iterator(); all.hasNext(); ) {
                Waiter waiter = all.next();
                if (waiter.accepts(event)) {
                    ended.add(waiter);
                    all.remove();
                }
            }
            return list.isEmpty() ? null : list;
        });
        // Completed outside the map's lock: what runs on completion may register or forget waiters.
        for (Waiter waiter : ended) {
            waiter.ended().complete(event);
        }
    }

    /** Driver thread, while leading {@code shard}: the lock commands to propose now. */
    public List<byte[]> leaderDuties(int shard, LockStateMachine machine, boolean newTerm, long nowMs) {
        if (newTerm) {
            // Sessions' deadlines restart from the new leader's clock: keep-alives in flight to the old leader may
            // have been lost, so no live session expires because of the failover.
            lastTickMs.put(shard, nowMs);
            return List.of(new LockCommand.LeaderChanged(nowMs).encode());
        }
        if (machine.nextDeadlineMs() <= nowMs && nowMs - lastTickMs.getOrDefault(shard, 0L) >= TICK_INTERVAL_MIN_MS) {
            lastTickMs.put(shard, nowMs);
            return List.of(new LockCommand.Tick(nowMs).encode());
        }
        return List.of();
    }
}
