package io.sinkron.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one session alive from its own virtual thread: {@code PUT /v1/sessions/{id}/keepalive} every {@link #PERIOD}
 * until closed. Bounded by {@link #RENEWALS_MAX} renewals (over an hour, past the driver's 30-minute level cap).
 */
final class SessionKeeper implements AutoCloseable {

    /** A third of {@link LockCycleScenario#TTL_MS}: two renewals may fail before the session expires. */
    static final Duration PERIOD = Duration.ofSeconds(10);

    /** Upper bound of renewals per session. */
    static final int RENEWALS_MAX = 400;

    /** How long {@link #close()} waits for the thread to finish an in-flight renewal. */
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(6);

    private final HttpClient http;
    private final HttpRequest keepAlive;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Thread thread;

    private SessionKeeper(HttpClient http, URI node, String sessionId) {
        this.http = http;
        this.keepAlive = HttpRequest.newBuilder(node.resolve("/v1/sessions/" + sessionId + "/keepalive"))
                .timeout(LockCycleScenario.REQUEST_TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build();
    }

    /** Starts renewing {@code sessionId} on {@code node} from a virtual thread named {@code threadName}. */
    static SessionKeeper start(HttpClient http, URI node, String sessionId, String threadName) {
        SessionKeeper keeper = new SessionKeeper(http, node, sessionId);
        keeper.thread = Thread.ofVirtual().name(threadName).start(keeper::renew);
        return keeper;
    }

    private void renew() {
        try {
            for (int i = 0; i < RENEWALS_MAX; i++) {
                if (closed.await(PERIOD.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                sendOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendOnce() throws InterruptedException {
        try {
            HttpResponse<Void> response = http.send(keepAlive, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                reportFailure("answered " + response.statusCode());
            }
        } catch (IOException e) {
            reportFailure(e.toString());
        }
    }

    private void reportFailure(String what) {
        // A lost session shows up as failed cycles; say why here, once per failure, on stderr.
        System.err.println("lock-cycle: keep-alive " + keepAlive.uri() + " " + what);
    }

    /** Stops renewing and waits (bounded) for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        closed.countDown();
        thread.join(JOIN_TIMEOUT);
    }
}
