package io.sinkron.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * One operation = one lock cycle: acquire exclusive (waiting up to {@link #WAIT_MS}) then release, both on the
 * worker's own node. Each worker opens its own session in {@link #worker}, keeps it alive ({@link SessionKeeper}) and
 * closes it when the level ends. Every acquire and every release is a Raft commit on the lock's shard.
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

    /** Session ttl; {@link SessionKeeper} renews it every {@link SessionKeeper#PERIOD}, a third of it. */
    static final long TTL_MS = 30_000;

    /** How long an acquire may wait on the server for a busy lock before it counts as an error (409). */
    static final long WAIT_MS = 10_000;

    /** Bound of a request that does not wait for a lock: open, release, keep-alive, close. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final Names names;
    private final ObjectMapper json = new ObjectMapper();

    LockCycleScenario(Names names) {
        this.names = names;
    }

    @Override
    public String name() {
        return "lock-cycle/" + names.wire();
    }

    @Override
    public Worker worker(int index, Context context) throws Exception {
        URI node = context.targetFor(index);
        String sessionId = openSession(context.http(), node);
        String lock = names.lockFor(index);
        SessionKeeper keeper = SessionKeeper.start(context.http(), node, sessionId, "keepalive-w" + index);
        HttpRequest acquire = post(
                node,
                "/v1/locks/" + lock + "/acquire",
                "{\"sessionId\":\"" + sessionId + "\",\"mode\":\"exclusive\",\"waitMs\":" + WAIT_MS + "}",
                REQUEST_TIMEOUT.plusMillis(WAIT_MS));
        return new Worker() {
            @Override
            public void runOnce() throws Exception {
                long token = acquire(context.http(), acquire);
                HttpRequest release = post(
                        node,
                        "/v1/locks/" + lock + "/release",
                        "{\"sessionId\":\"" + sessionId + "\",\"token\":" + token + "}",
                        REQUEST_TIMEOUT);
                expect(context.http().send(release, HttpResponse.BodyHandlers.ofString()), 200, "release");
            }

            @Override
            public void close() throws InterruptedException {
                keeper.close();
                try {
                    closeSession(context.http(), node, sessionId);
                } catch (IOException e) {
                    // Not a measured operation: the level's numbers stand; the session expires after its ttl.
                    System.err.println("lock-cycle: closing session " + sessionId + " failed: " + e.getMessage());
                }
            }
        };
    }

    private String openSession(HttpClient http, URI node) throws IOException, InterruptedException {
        HttpRequest request = post(node, "/v1/sessions", "{\"ttlMs\":" + TTL_MS + "}", REQUEST_TIMEOUT);
        HttpResponse<String> response = expect(http.send(request, HttpResponse.BodyHandlers.ofString()), 201, "open");
        String id = json.readTree(response.body()).path("sessionId").asText("");
        if (id.isEmpty() || !id.chars().allMatch(Character::isDigit)) {
            throw new IOException("POST /v1/sessions answered without a decimal sessionId: " + response.body());
        }
        return id;
    }

    private long acquire(HttpClient http, HttpRequest acquire) throws IOException, InterruptedException {
        HttpResponse<String> response =
                expect(http.send(acquire, HttpResponse.BodyHandlers.ofString()), 200, "acquire");
        JsonNode token = json.readTree(response.body()).path("token");
        if (!token.canConvertToLong() || token.asLong() <= 0) {
            throw new IOException("acquire answered without a positive token: " + response.body());
        }
        return token.asLong();
    }

    private static void closeSession(HttpClient http, URI node, String sessionId)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/sessions/" + sessionId))
                .timeout(REQUEST_TIMEOUT)
                .DELETE()
                .build();
        expect(http.send(request, HttpResponse.BodyHandlers.ofString()), 204, "close session");
    }

    static HttpRequest post(URI node, String path, String body, Duration timeout) {
        return HttpRequest.newBuilder(node.resolve(path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static HttpResponse<String> expect(HttpResponse<String> response, int status, String what) throws IOException {
        if (response.statusCode() != status) {
            throw new IOException(what + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }
}
