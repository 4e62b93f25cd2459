package io.sinkron.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkron.api.problem.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Lock calls (acquire, release) over each endpoint's {@code /v1/ws/locks} socket: one WebSocket per endpoint, opened
 * on first use and again after it failed, carrying every caller's calls at once, answers matched to calls by
 * {@code id}. One connection serves all callers, so a busy client pays no HTTP request per call, and a node reads many
 * calls per system call. A call that gets no answer in its time aborts the socket (it may be half dead) and fails
 * every call on it; {@link Transport} then retries each with its own idempotency key, so none is applied twice.
 */
final class LockSockets implements AutoCloseable {

    /** Calls one socket may carry at a time: the node's own per-connection limit (docs/api.md). */
    static final int PENDING_MAX = 4_096;

    /** The path of the lock socket on every node, asking it to batch answers written together into one frame. */
    static final String PATH = "/v1/ws/locks?batch=true";

    /** Calls sent in one frame at most: the node takes up to 128 (docs/api.md). */
    static final int CALLS_PER_FRAME_MAX = 64;

    /** Length after which a frame takes no further call; the node takes frames of up to 64 KiB. */
    static final int FRAME_CHARS_SOFT_MAX = 32 * 1024;

    private final HttpClient http;
    private final ObjectMapper json;
    private final List<URI> endpoints;
    private final AtomicReferenceArray<Link> links;

    LockSockets(HttpClient http, ObjectMapper json, List<URI> endpoints) {
        this.http = http;
        this.json = json;
        this.endpoints = endpoints;
        this.links = new AtomicReferenceArray<>(endpoints.size());
    }

    /**
     * Sends one call (a JSON object with its {@code op}) to the endpoint and waits for its answer.
     *
     * @throws IOException if the socket could not be opened, failed, or brought no answer within {@code timeout}
     * @throws SinkronException if the socket already carries {@link #PENDING_MAX} calls, or the wait was interrupted
     */
    Transport.Answer call(int endpoint, ObjectNode message, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Link link = link(endpoint);
        link.awaitOpen(deadline);
        long id = link.ids.incrementAndGet();
        message.put("id", Long.toString(id));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        if (link.pending.size() >= PENDING_MAX) {
            throw new SinkronException(
                    Problems.UNAVAILABLE,
                    0,
                    "this client already has " + PENDING_MAX + " lock calls under way on " + link.uri,
                    false,
                    null,
                    null);
        }
        link.pending.put(id, answer);
        try {
            if (link.failed()) {
                throw link.failure; // failed before the call was registered, so the failure did not reach it
            }
            link.send(new Outgoing(json.writeValueAsString(message), answer));
            JsonNode reply = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return answerOf(reply);
        } catch (TimeoutException e) {
            link.fail(new IOException(link.uri + ": no answer within " + timeout));
            throw new IOException(link.uri + ": no answer within " + timeout, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(link.uri + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkronException(SinkronException.INTERRUPTED, 0, "", false, null, e);
        } finally {
            link.pending.remove(id);
        }
    }

    /** Closes every socket; calls under way fail. */
    @Override
    public void close() {
        for (int i = 0; i < links.length(); i++) {
            Link link = links.getAndSet(i, null);
            if (link != null) {
                link.fail(new IOException("the client is closed"));
            }
        }
    }

    /** The answer as {@link Transport} reads an HTTP exchange: 200 and the body, or the problem's status and body. */
    private Transport.Answer answerOf(JsonNode reply) throws IOException {
        String leader =
                reply.path("shardLeader").isTextual() ? reply.get("shardLeader").asText() : null;
        if ("error".equals(reply.path("type").asText())) {
            JsonNode problem = reply.path("problem");
            int status = problem.path("status").asInt(0);
            if (status < 400 || status > 599) {
                throw Problems.invalidResponse(status, "a socket error without a 4xx or 5xx status: " + reply);
            }
            return new Transport.Answer(status, Problem.MEDIA_TYPE, leader, json.writeValueAsBytes(problem), null);
        }
        return new Transport.Answer(200, "application/json", leader, null, reply);
    }

    /** The endpoint's open (or opening) socket, or a new one in place of a failed one. */
    private Link link(int endpoint) {
        while (true) {
            Link link = links.get(endpoint);
            if (link != null && !link.failed()) {
                return link;
            }
            Link fresh = new Link(socketUri(endpoints.get(endpoint)));
            if (links.compareAndSet(endpoint, link, fresh)) {
                fresh.open();
                return fresh;
            }
        }
    }

    private static URI socketUri(URI endpoint) {
        String base = endpoint.toString();
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        if (base.startsWith("https://")) {
            return URI.create("wss://" + base.substring("https://".length()) + PATH);
        }
        return URI.create("ws://" + base.substring("http://".length()) + PATH);
    }

    /** A call's text and where its answer goes. */
    private record Outgoing(String text, CompletableFuture<JsonNode> answer) {}

    /** One socket: its calls awaiting answers, and the chain of its sends (a WebSocket sends one message at a time). */
    private final class Link implements WebSocket.Listener {
        final URI uri;
        final AtomicLong ids = new AtomicLong();
        final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final Queue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean sending = new AtomicBoolean();
        volatile IOException failure;

        Link(URI uri) {
            this.uri = uri;
        }

        void open() {
            http.newWebSocketBuilder().buildAsync(uri, this).whenComplete((socket, e) -> {
                if (e != null) {
                    fail(new IOException(uri + ": the socket did not open: " + e, e));
                } else {
                    opened.complete(socket);
                }
            });
        }

        boolean failed() {
            return failure != null;
        }

        void awaitOpen(long deadline) throws IOException {
            try {
                opened.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                fail(new IOException(uri + ": the socket did not open in time"));
                throw failure;
            } catch (ExecutionException e) {
                throw failure != null ? failure : new IOException(uri + ": " + e.getCause(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SinkronException(SinkronException.INTERRUPTED, 0, "", false, null, e);
            }
        }

        /**
         * Sends after every earlier send; if this one fails, so do its answer and the whole socket. Calls that arrive
         * while a frame is being sent go out together in the next one, as a JSON array: the more callers wait, the
         * fewer frames (and system calls, here and at the node) each call costs.
         */
        void send(Outgoing call) throws IOException {
            WebSocket socket = opened.getNow(null);
            if (socket == null || failed()) {
                throw failure != null ? failure : new IOException(uri + ": the socket is not open");
            }
            outbox.add(call);
            if (sending.compareAndSet(false, true)) {
                pump(socket);
            }
        }

        /** Sends one frame of what the outbox holds; when it is out, the next, until the outbox is empty. */
        private void pump(WebSocket socket) {
            Outgoing first = outbox.poll();
            if (first == null) {
                sending.set(false);
                if (!outbox.isEmpty() && sending.compareAndSet(false, true)) {
                    pump(socket); // a call came between the poll and the reset
                }
                return;
            }
            List<Outgoing> calls = new ArrayList<>();
            calls.add(first);
            String frame = first.text();
            Outgoing next = outbox.poll();
            if (next != null) {
                StringBuilder text =
                        new StringBuilder(first.text().length() * 4).append('[').append(first.text());
                while (next != null) {
                    calls.add(next);
                    text.append(',').append(next.text());
                    if (calls.size() == CALLS_PER_FRAME_MAX || text.length() >= FRAME_CHARS_SOFT_MAX) {
                        break;
                    }
                    next = outbox.poll();
                }
                frame = text.append(']').toString();
            }
            socket.sendText(frame, true).whenComplete((ok, e) -> {
                if (e != null) {
                    IOException cause = new IOException(uri + ": a send failed: " + e, e);
                    for (Outgoing call : calls) {
                        call.answer().completeExceptionally(cause);
                    }
                    fail(cause);
                    return;
                }
                pump(socket);
            });
        }

        /** Ends the socket for good: every call on it fails with {@code cause}, and the next call opens a new one. */
        void fail(IOException cause) {
            synchronized (this) {
                if (failure != null) {
                    return;
                }
                failure = cause;
            }
            opened.completeExceptionally(cause);
            WebSocket socket = opened.getNow(null);
            if (socket != null) {
                socket.abort();
            }
            for (CompletableFuture<JsonNode> call : pending.values()) {
                call.completeExceptionally(cause);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (partial.length() > Transport.RESPONSE_BYTES_MAX) {
                fail(new IOException(uri + ": a message longer than " + Transport.RESPONSE_BYTES_MAX));
                return null;
            }
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                deliver(text);
            }
            socket.request(1);
            return null;
        }

        private void deliver(String text) {
            JsonNode message;
            try {
                message = json.readTree(text);
            } catch (IOException e) {
                fail(new IOException(uri + ": a message that is not JSON: " + e.getMessage(), e));
                return;
            }
            if (message.isArray()) { // messages the node wrote together (we asked for batch=true)
                for (JsonNode one : message) {
                    deliver(one);
                }
            } else {
                deliver(message);
            }
        }

        private void deliver(JsonNode message) {
            String id = message.path("id").asText(null);
            if (id == null) {
                return; // an event: this client subscribes to none
            }
            CompletableFuture<JsonNode> call;
            try {
                call = pending.get(Long.parseLong(id));
            } catch (NumberFormatException e) {
                return; // not an id this client gave
            }
            if (call != null) {
                call.complete(message);
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, java.nio.ByteBuffer data, boolean last) {
            fail(new IOException(uri + ": a binary message where only text messages are expected"));
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            fail(new IOException(uri + ": the node closed the socket (" + status + " " + reason + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            fail(new IOException(uri + ": " + error, error));
        }
    }
}
