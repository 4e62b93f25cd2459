package io.sinkron.loadtest;

import io.sinkron.api.client.LockMode;
import io.sinkron.api.client.Session;
import io.sinkron.api.client.SinkronClient;
import java.time.Duration;
import java.util.Locale;

/**
 * One operation = one lock cycle through the Java client ({@link SinkronClient}): acquire exclusive (waiting up to
 * {@link #WAIT}) then release. Each worker opens its own session in {@link #worker} (the client keeps it alive) and
 * closes it when the level ends. Every acquire and every release is a Raft commit on the lock's shard. All workers
 * share one client, as the threads of one application would: the first request about a name enters at any node,
 * its answer names the shard's leader, and the client sends the rest there.
 */
final class LockCycleScenario implements Scenario {

    /** Which lock names the workers cycle on. */
    enum Names {
        /** Worker i uses {@code bench/w<i>}: no waiting, the cost of two commits per cycle. */
        DISTINCT,
        /** Every worker uses {@code bench/hot}: one holder at a time, the rest queue on the server. */
        CONTENDED;

        String lockFor(int worker) {
            return this == DISTINCT ? "bench/w" + worker : "bench/hot";
        }

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Session ttl; the client renews it every third of it. */
    static final Duration TTL = Duration.ofSeconds(30);

    /** How long an acquire may wait on the server for a busy lock before it counts as an error. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** Bound of one request without its lock wait. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final Names names;

    LockCycleScenario(Names names) {
        this.names = names;
    }

    @Override
    public String name() {
        return "lock-cycle/" + names.wire();
    }

    @Override
    public Worker worker(int index, Context context) {
        SinkronClient client = context.client();
        Session session = client.openSession(TTL);
        String lock = names.lockFor(index);
        return new Worker() {
            @Override
            public void runOnce() {
                long token = client.lock(session, lock, LockMode.EXCLUSIVE, WAIT);
                client.unlock(session, lock, token);
            }

            @Override
            public void close() {
                try {
                    session.close();
                } catch (RuntimeException e) {
                    // Not a measured operation: the level's numbers stand; the session expires after its ttl.
                    System.err.println("lock-cycle: closing session " + session.id() + " failed: " + e.getMessage());
                }
            }
        };
    }
}
