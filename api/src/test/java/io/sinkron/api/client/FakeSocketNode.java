package io.sinkron.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node that speaks the session REST calls and the lock socket ({@code /v1/ws/locks}), on 127.0.0.1 with an
 * ephemeral port. Calls are applied once per idempotency key across every node of one {@link Ledger}; each call
 * received is recorded, and scripted {@link Fault}s replace answers.
 */
final class FakeSocketNode implements AutoCloseable {

    /** What the node does to the next socket call instead of answering it. */
    enum Fault {
        /** Apply the call, then close the socket without answering. */
        CLOSE_AFTER_APPLY,
        /** Apply the call and never answer. */
        SILENCE
    }

    /** The state every node of one fake cluster shares: the tokens granted, by idempotency key. */
    static final class Ledger {
        final Map<String, Long> tokensByKey = new ConcurrentHashMap<>();
        final AtomicInteger applied = new AtomicInteger();
        private final AtomicLong nextToken = new AtomicLong(100);

        long apply(String key) {
            if (key == null) {
                applied.incrementAndGet();
                return nextToken.incrementAndGet();
            }
            return tokensByKey.computeIfAbsent(key, k -> {
                applied.incrementAndGet();
                return nextToken.incrementAndGet();
            });
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final HttpServer server;
    private final Ledger ledger;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Map.Entry<String, String>> problems = new ConcurrentLinkedQueue<>();
    final List<JsonNode> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger sockets = new AtomicInteger();
    /** Sockets opened asking for batched frames ({@code ?batch=true}). */
    final AtomicInteger batchingSockets = new AtomicInteger();
    /** Frames from the client that carried an array of calls. */
    final AtomicInteger framesWithSeveralCalls = new AtomicInteger();

    final java.util.concurrent.CompletableFuture<Void> aSocketClosed = new java.util.concurrent.CompletableFuture<>();
    private volatile int answerDelayMaxMillis;
    private volatile int answerGroup;
    /** Answers held for {@link #answerInGroupsOf}; touched only on the socket's event loop. */
    private ArrayNode held = JSON.createArrayNode();

    FakeSocketNode(Vertx vertx, Ledger ledger) throws Exception {
        this.vertx = vertx;
        this.ledger = ledger;
        this.server = vertx.createHttpServer()
                .webSocketHandler(this::socket)
                .requestHandler(this::rest)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    void fail(Fault fault) {
        faults.add(fault);
    }

    /** The next socket call is answered with this problem (slug, status) instead of being applied. */
    void refuse(String slug, int status) {
        problems.add(Map.entry(slug, Integer.toString(status)));
    }

    /** Answers wait a random time up to this, so answers to concurrent calls come back in another order. */
    void delayAnswersUpTo(int millis) {
        answerDelayMaxMillis = millis;
    }

    /** Answers are held until {@code calls} are ready, then written as one array in one frame. */
    void answerInGroupsOf(int calls) {
        answerGroup = calls;
    }

    private void rest(HttpServerRequest request) {
        String path = request.path();
        if (request.method().name().equals("POST") && path.equals("/v1/sessions")) {
            request.response()
                    .setStatusCode(201)
                    .putHeader("Content-Type", "application/json")
                    .end("{\"sessionId\": \"7\", \"ttlMs\": 60000}");
        } else if (path.startsWith("/v1/sessions/")) {
            request.response()
                    .setStatusCode(200)
                    .putHeader("Content-Type", "application/json")
                    .end("{}");
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    private void socket(ServerWebSocket socket) {
        if (!socket.path().equals("/v1/ws/locks")) {
            socket.reject(404);
            return;
        }
        if ("batch=true".equals(socket.query())) {
            batchingSockets.incrementAndGet();
        }
        sockets.incrementAndGet();
        socket.closeHandler(ignored -> aSocketClosed.complete(null));
        socket.textMessageHandler(text -> {
            JsonNode message;
            try {
                message = JSON.readTree(text);
            } catch (Exception e) {
                throw new IllegalStateException("the client sent something that is not JSON: " + text, e);
            }
            if (message.isArray()) {
                framesWithSeveralCalls.incrementAndGet();
            }
            // Answers not delayed go back together, as the node writes answers it has at once: one frame, an array
            // when there are several.
            ArrayNode now = JSON.createArrayNode();
            for (JsonNode call :
                    message.isArray() ? message : JSON.createArrayNode().add(message)) {
                if (!answer(socket, call, now)) {
                    return;
                }
            }
            int group = answerGroup;
            if (group > 1) { // hold answers until there are enough for one frame
                held.addAll(now);
                if (held.size() < group) {
                    return;
                }
                now = held;
                held = JSON.createArrayNode();
            }
            if (now.size() == 1) {
                socket.writeTextMessage(now.get(0).toString());
            } else if (now.size() > 1) {
                socket.writeTextMessage(now.toString());
            }
        });
    }

    /** Applies one call and puts its answer in {@code now}, or schedules it; false when the socket was closed. */
    private boolean answer(ServerWebSocket socket, JsonNode call, ArrayNode now) {
        calls.add(call);
        Map.Entry<String, String> problem = problems.poll();
        if (problem != null) {
            ObjectNode answer = now.addObject()
                    .put("type", "error")
                    .put("id", call.path("id").asText());
            answer.putObject("problem")
                    .put("type", "https://sinkron.io/problems/" + problem.getKey())
                    .put("status", Integer.parseInt(problem.getValue()))
                    .put("detail", "scripted");
            return true;
        }
        String key = call.hasNonNull("clientId")
                ? call.path("clientId").asText() + "#" + call.path("sequence").asText()
                : null;
        long token =
                call.path("op").asText().equals("release") ? call.path("token").asLong() : ledger.apply(key);
        Fault fault = faults.poll();
        if (fault == Fault.CLOSE_AFTER_APPLY) {
            socket.close();
            return false;
        }
        if (fault == Fault.SILENCE) {
            return true;
        }
        ObjectNode answer = JSON.createObjectNode()
                .put("type", call.path("op").asText().equals("release") ? "released" : "acquired")
                .put("id", call.path("id").asText())
                .put("name", call.path("name").asText())
                .put("token", token);
        int delay = answerDelayMaxMillis;
        if (delay > 0) {
            vertx.setTimer(
                    1 + ThreadLocalRandom.current().nextInt(delay), id -> socket.writeTextMessage(answer.toString()));
        } else {
            now.add(answer);
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
