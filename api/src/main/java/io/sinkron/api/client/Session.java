package io.sinkron.api.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A session on the cluster: the owner of locks, alive as long as keep-alives arrive within its ttl. The client sends
 * one every {@code ttl / 3} on its keep-alive thread. The session is <em>lost</em> — keep-alives stop and the
 * {@link #onLost} listeners run, once — when a keep-alive answers that the session does not exist, when no keep-alive
 * has succeeded for a whole ttl (the cluster may have expired it by then), or when the client is closed.
 *
 * <p>A lost session's locks must be taken as gone. {@link #close()} deletes the session, releasing its locks.
 * Thread-safe.
 */
public final class Session implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    private final SinkronClient client;
    private final String id;
    private final Duration ttl;
    private final CopyOnWriteArrayList<Consumer<LostReason>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<LostReason> lost = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long aliveUntilNanos;
    private volatile ScheduledFuture<?> keepAlive;

    Session(SinkronClient client, String id, Duration ttl, long openedNanos) {
        this.client = client;
        this.id = id;
        this.ttl = ttl;
        // Counted from when the open was sent, not answered: the cluster's ttl started in between.
        this.aliveUntilNanos = openedNanos + ttl.toNanos();
    }

    void start(ScheduledExecutorService keepAlives) {
        long periodNanos = Math.max(1, ttl.toNanos() / 3);
        keepAlive =
                keepAlives.scheduleWithFixedDelay(this::keepAliveOnce, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** The session id the cluster gave, a decimal string of a positive 63-bit number. */
    public String id() {
        return id;
    }

    /** How long the session lives without a keep-alive, as the cluster granted it. */
    public Duration ttl() {
        return ttl;
    }

    /** Why the session was lost, or empty while it is alive (or was closed without being lost). */
    public Optional<LostReason> lostReason() {
        return Optional.ofNullable(lost.get());
    }

    /** Whether the session was lost. */
    public boolean isLost() {
        return lost.get() != null;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Registers a listener that runs once when the session is lost, on the keep-alive thread (or on the thread that
     * noticed the loss). If the session is lost already, it runs at once on the calling thread. Listeners must not
     * block: they delay every session's keep-alives.
     *
     * @return this session
     */
    public Session onLost(Consumer<LostReason> listener) {
        listeners.add(listener);
        LostReason reason = lost.get();
        if (reason != null && listeners.remove(listener)) {
            notify(listener, reason);
        }
        return this;
    }

    /**
     * Stops the keep-alives and deletes the session on the cluster, which releases its locks without lock-delay. A
     * session gone already counts as deleted. Idempotent.
     *
     * @throws SinkronUnavailableException if no endpoint answered; the session then expires after its ttl
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopKeepAlive();
        if (lost.get() instanceof LostReason.Expired || lost.get() instanceof LostReason.ClientClosed) {
            client.forget(this);
            return;
        }
        client.deleteSession(this);
    }

    SinkronClient client() {
        return client;
    }

    /** Marks the session lost (once) and tells the listeners; later calls do nothing. */
    void lose(LostReason reason) {
        if (!lost.compareAndSet(null, reason)) {
            return;
        }
        stopKeepAlive();
        if (!(reason instanceof LostReason.ClientClosed)) {
            client.forget(this);
        }
        for (Consumer<LostReason> listener : listeners) {
            if (listeners.remove(listener)) {
                notify(listener, reason);
            }
        }
    }

    private void keepAliveOnce() {
        if (closed.get() || lost.get() != null) {
            return;
        }
        long sentNanos = System.nanoTime();
        try {
            client.keepAlive(this, aliveUntilNanos);
            aliveUntilNanos = sentNanos + ttl.toNanos();
        } catch (SessionExpiredException e) {
            lose(new LostReason.Expired(e.detail()));
        } catch (SinkronException e) {
            if (System.nanoTime() - aliveUntilNanos >= 0) {
                lose(new LostReason.KeepAliveFailing(e));
            } else {
                LOG.log(Level.DEBUG, "keep-alive of session {0} failed, retrying: {1}", id, e.getMessage());
            }
        }
    }

    private void stopKeepAlive() {
        ScheduledFuture<?> task = keepAlive;
        if (task != null) {
            task.cancel(false);
        }
    }

    private void notify(Consumer<LostReason> listener, LostReason reason) {
        try {
            listener.accept(reason);
        } catch (RuntimeException e) {
            // A failing listener must not stop the others nor kill the keep-alive thread; it is reported, not hidden.
            LOG.log(Level.WARNING, "onLost listener of session " + id + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "Session[" + id + ", ttl " + ttl + (isLost() ? ", lost" : "") + (isClosed() ? ", closed" : "") + "]";
    }
}
