package io.sinkron.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkron.api.Headers;
import io.sinkron.api.problem.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends one logical request with bounded retries. Any node is an entry point: the request goes to the current
 * endpoint, or, for a call about a name whose shard leader an earlier answer named ({@link Headers#SHARD_LEADER}),
 * straight to that leader; on a connection failure, a timeout or a retryable problem the next endpoint becomes current and the same
 * request — same lane, same sequence, so the cluster applies it at most once — is sent again after a short back-off.
 * Non-retryable problems are thrown at once as typed exceptions. Thread-safe; blocks the calling thread. An interrupt
 * ends a call at once on a virtual thread (its socket is closed); on a platform thread the blocked read does not see
 * it, and the call ends when the attempt's time is up.
 */
final class Transport {

    /** The idempotency headers of the contract. */
    static final String CLIENT_ID_HEADER = Headers.CLIENT_ID;

    static final String SEQUENCE_HEADER = Headers.SEQUENCE;

    /** Names whose shard leader is remembered; beyond it the memory starts over (a bound, STYLE.md rule 12). */
    static final int ROUTES_MAX = 4_096;

    /** Answers longer than this are refused rather than read into memory. */
    static final int RESPONSE_BYTES_MAX = 4 * 1024 * 1024;

    private static final byte[] EMPTY = new byte[0];

    /** No deadline beyond the attempt limit. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * One request: method, path below the endpoint, JSON body or {@code null}, extra time the server may hold it, the
     * name it is about ({@code null} if none), by which the node leading that name's shard is remembered, and the
     * operation that carries it on the lock socket ({@code null}: HTTP only).
     */
    record Call(String method, String path, JsonNode body, Duration holdTime, String route, String socketOp) {

        Call(String method, String path, JsonNode body, Duration holdTime, String route) {
            this(method, path, body, holdTime, route, null);
        }

        Call(String method, String path, JsonNode body, Duration holdTime) {
            this(method, path, body, holdTime, null, null);
        }

        boolean mutating() {
            return !method.equals("GET");
        }
    }

    /** A successful answer: its status and JSON body ({@code null} when it had none). */
    record Reply(int status, JsonNode body) {}

    /**
     * What one exchange brought back: status, the two headers the client reads, and the body (read whole). A lock
     * socket's answer comes in the same shape ({@link LockSockets}), a success already parsed: {@code body} is then
     * {@code null} and {@code parsed} holds it.
     */
    record Answer(int status, String contentType, String shardLeader, byte[] body, JsonNode parsed) {}

    private final CloseableHttpClient http;
    private final LockSockets sockets;
    private final ScheduledExecutorService timer;
    private final ObjectMapper json;
    private final List<URI> endpoints;
    private final Duration requestTimeout;
    private final int attemptsMax;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Lanes lanes;
    private final AtomicLong sequence;
    private final AtomicInteger current = new AtomicInteger();
    private final Map<String, Integer> routes = new ConcurrentHashMap<>();

    /**
     * @param http the blocking HTTP client (its pool bounds the connections)
     * @param sockets carries lock calls, or {@code null} to send them over HTTP
     * @param timer cuts off an exchange that outlives its attempt's time
     */
    Transport(
            CloseableHttpClient http,
            LockSockets sockets,
            ScheduledExecutorService timer,
            ObjectMapper json,
            SinkronClient.Builder config,
            String clientId) {
        this.http = http;
        this.sockets = sockets;
        this.timer = timer;
        this.json = json;
        this.endpoints = config.endpoints();
        this.requestTimeout = config.requestTimeout();
        this.attemptsMax = config.attemptsMax();
        this.backoffBase = config.backoffBase();
        this.backoffMax = config.backoffMax();
        this.lanes = new Lanes(clientId);
        // Epoch microseconds: a process restarted under the same client id keeps its sequences growing.
        this.sequence = new AtomicLong(Math.multiplyExact(System.currentTimeMillis(), 1000L));
    }

    /**
     * Sends the call until it succeeds, fails for good, runs out of attempts, or reaches {@code deadlineNanos} (a
     * {@link System#nanoTime()} value, or {@link #NO_DEADLINE}).
     *
     * @throws SinkronUnavailableException when every attempt failed in a retryable way
     * @throws SinkronException for a problem that is not retryable, or an invalid or interrupted answer
     */
    Reply send(Call call, long deadlineNanos) {
        String lane = call.mutating() ? lanes.acquire() : null;
        long seq = call.mutating() ? sequence.incrementAndGet() : 0;
        try {
            return attempt(call, lane, seq, deadlineNanos);
        } finally {
            if (lane != null) {
                lanes.release(lane);
            }
        }
    }

    private Reply attempt(Call call, String lane, long seq, long deadlineNanos) {
        byte[] body = call.body() == null ? null : writeBody(call.body());
        SinkronException last = null;
        int attempts = 0;
        while (attempts < attemptsMax) {
            if (attempts > 0 && !backoff(attempts, deadlineNanos)) {
                break;
            }
            Duration timeout = attemptTimeout(call, deadlineNanos);
            if (timeout.isZero()) {
                break;
            }
            attempts++;
            Integer routed = call.route() == null ? null : routes.get(call.route());
            int index = routed != null ? routed : current.get();
            SinkronException failure;
            try {
                Answer answer = sockets != null && call.socketOp() != null
                        ? sockets.call(index, socketMessage(call, lane, seq), timeout)
                        : exchange(request(endpoints.get(index), call, body, lane, seq, timeout), timeout);
                learnRoute(call, answer);
                Reply reply = readReply(answer);
                if (reply != null) {
                    return reply;
                }
                Problem problem = Problems.read(json, answer.status(), answer.contentType(), answer.body());
                if (!Problems.retryable(problem)) {
                    throw Problems.toException(problem);
                }
                failure = Problems.toException(problem);
            } catch (ConnectionRequestTimeoutException e) {
                // Every pooled connection is busy: this client's own limit, not the node's fault, so the endpoint and
                // the remembered leader stay.
                throw new SinkronException(
                        Problems.UNAVAILABLE,
                        0,
                        "all " + SinkronClient.CONNECTIONS_MAX + " connections of this client stayed busy for "
                                + timeout,
                        false,
                        null,
                        e);
            } catch (IOException e) {
                failure = new SinkronException(Problems.UNAVAILABLE, 0, endpoints.get(index) + ": " + e, true, null, e);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new SinkronException(SinkronException.INTERRUPTED, 0, "", false, null, failure);
            }
            if (last != null) {
                failure.addSuppressed(last);
            }
            last = failure;
            if (routed != null) {
                routes.remove(call.route(), routed); // the remembered leader failed: back to the rotation
            }
            // Only the first caller to see this endpoint fail moves on; others then use the new current one.
            current.compareAndSet(index, (index + 1) % endpoints.size());
        }
        throw unavailable(call, attempts, last);
    }

    /**
     * Remembers which endpoint leads the call's name, from the answer's {@link Headers#SHARD_LEADER}. Only a URL that
     * is one of the configured endpoints is taken: the client never goes where it was not pointed.
     */
    private void learnRoute(Call call, Answer answer) {
        if (call.route() == null) {
            return;
        }
        String leader = answer.shardLeader();
        if (leader == null) {
            return;
        }
        String wanted = withoutTrailingSlash(leader);
        for (int i = 0; i < endpoints.size(); i++) {
            if (withoutTrailingSlash(endpoints.get(i).toString()).equals(wanted)) {
                if (routes.size() >= ROUTES_MAX) {
                    routes.clear();
                }
                routes.put(call.route(), i);
                return;
            }
        }
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The call as a lock-socket message: its body, the operation, the name and the idempotency key. */
    private static ObjectNode socketMessage(Call call, String lane, long seq) {
        ObjectNode message = call.body() == null
                ? JsonNodeFactory.instance.objectNode()
                : call.body().deepCopy();
        message.put("op", call.socketOp()).put("name", call.route());
        if (lane != null) {
            message.put("clientId", lane).put("sequence", Long.toString(seq));
        }
        return message;
    }

    private HttpUriRequestBase request(URI endpoint, Call call, byte[] body, String lane, long seq, Duration timeout) {
        HttpUriRequestBase request = new HttpUriRequestBase(call.method(), URI.create(endpoint + call.path()));
        request.setHeader("Accept", "application/json, " + Problem.MEDIA_TYPE);
        if (lane != null) {
            request.setHeader(CLIENT_ID_HEADER, lane);
            request.setHeader(SEQUENCE_HEADER, Long.toString(seq));
        }
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        }
        Timeout bound = Timeout.of(timeout);
        request.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(bound)
                .setResponseTimeout(bound)
                .build());
        return request;
    }

    /**
     * One exchange, bounded in time as a whole: the response timeout bounds each wait for bytes, so a body that
     * trickles in would otherwise hold the caller for ever; at the attempt's end the timer aborts the request.
     */
    private Answer exchange(HttpUriRequestBase request, Duration timeout) throws IOException {
        AtomicBoolean aborted = new AtomicBoolean();
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(
                    () -> {
                        aborted.set(true);
                        request.cancel();
                    },
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            throw new SinkronException(Problems.UNAVAILABLE, 0, "the client is closed", false, null, e);
        }
        try {
            return http.execute(request, Transport::answer);
        } catch (IOException e) {
            if (aborted.get()) {
                throw new IOException("no complete answer within " + timeout, e);
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    /** Reads status, headers and a body of at most {@link #RESPONSE_BYTES_MAX} bytes. */
    private static Answer answer(ClassicHttpResponse response) throws IOException {
        HttpEntity entity = response.getEntity();
        byte[] body = EMPTY;
        if (entity != null) {
            if (entity.getContentLength() > RESPONSE_BYTES_MAX) {
                throw Problems.invalidResponse(
                        response.getCode(), "answer longer than " + RESPONSE_BYTES_MAX + " bytes");
            }
            try (InputStream in = entity.getContent()) {
                body = in.readNBytes(RESPONSE_BYTES_MAX + 1);
            }
            if (body.length > RESPONSE_BYTES_MAX) {
                throw Problems.invalidResponse(
                        response.getCode(), "answer longer than " + RESPONSE_BYTES_MAX + " bytes");
            }
        }
        String contentType = java.util.Objects.requireNonNullElse(value(response, "Content-Type"), "");
        return new Answer(response.getCode(), contentType, value(response, Headers.SHARD_LEADER), body, null);
    }

    private static String value(ClassicHttpResponse response, String name) {
        Header header = response.getFirstHeader(name);
        return header == null ? null : header.getValue();
    }

    /** The reply to a 2xx answer, or {@code null} for an error answer. */
    private Reply readReply(Answer answer) {
        int status = answer.status();
        if (status < 200 || status > 299) {
            return null;
        }
        if (answer.parsed() != null) {
            return new Reply(status, answer.parsed());
        }
        if (answer.body().length == 0) {
            return new Reply(status, null);
        }
        try {
            return new Reply(status, json.readTree(answer.body()));
        } catch (IOException e) {
            throw Problems.invalidResponse(status, "answer is not JSON: " + e.getMessage());
        }
    }

    private byte[] writeBody(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree did not serialise", e);
        }
    }

    /** The time one attempt may take: the request timeout plus what the server may hold it, cut at the deadline. */
    private Duration attemptTimeout(Call call, long deadlineNanos) {
        Duration timeout = requestTimeout.plus(call.holdTime());
        if (deadlineNanos == NO_DEADLINE) {
            return timeout;
        }
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) {
            return Duration.ZERO;
        }
        return timeout.compareTo(Duration.ofNanos(remainingNanos)) < 0 ? timeout : Duration.ofNanos(remainingNanos);
    }

    /**
     * Waits before attempt {@code attempts + 1}: exponential from the base, capped, with full jitter so that many
     * clients failing over together do not arrive together. Returns false when the wait would pass the deadline.
     */
    private boolean backoff(int attempts, long deadlineNanos) {
        long capNanos = Math.min(backoffMax.toNanos(), backoffBase.toNanos() << Math.min(attempts - 1, 20));
        long waitNanos = ThreadLocalRandom.current().nextLong(capNanos / 2, capNanos + 1);
        if (deadlineNanos != NO_DEADLINE && System.nanoTime() + waitNanos >= deadlineNanos) {
            return false;
        }
        try {
            Thread.sleep(Duration.ofNanos(waitNanos));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkronException(SinkronException.INTERRUPTED, 0, "", false, null, e);
        }
    }

    private static SinkronUnavailableException unavailable(Call call, int attempts, SinkronException last) {
        String what = call.method() + " " + call.path() + " failed after " + attempts + " attempt(s)";
        if (last == null) {
            return new SinkronUnavailableException(Problems.UNAVAILABLE, 0, what + ": deadline passed", null, 0, null);
        }
        return new SinkronUnavailableException(
                last.slug(),
                last.status(),
                what + "; last: " + last.getMessage(),
                last.problem().orElse(null),
                attempts,
                last);
    }
}
