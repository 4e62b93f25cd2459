package io.sinkron.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkron.api.Headers;
import io.sinkron.api.problem.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends one logical request with bounded retries. Any node is an entry point: the request goes to the current
 * endpoint, or, for a call about a name whose shard leader an earlier answer named ({@link Headers#SHARD_LEADER}),
 * straight to that leader; on a connection failure, a timeout or a retryable problem the next endpoint becomes current and the same
 * request — same lane, same sequence, so the cluster applies it at most once — is sent again after a short back-off.
 * Non-retryable problems are thrown at once as typed exceptions. Thread-safe; blocks the calling thread.
 */
final class Transport {

    /** The idempotency headers of the contract. */
    static final String CLIENT_ID_HEADER = Headers.CLIENT_ID;

    static final String SEQUENCE_HEADER = Headers.SEQUENCE;

    /** Names whose shard leader is remembered; beyond it the memory starts over (a bound, STYLE.md rule 12). */
    static final int ROUTES_MAX = 4_096;

    /** Answers longer than this are refused rather than read into memory. */
    static final int RESPONSE_BYTES_MAX = 4 * 1024 * 1024;

    /** Marks a body refused for its announced length; compared by identity. */
    private static final byte[] TOO_LARGE = new byte[0];

    /** No deadline beyond the attempt limit. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * One request: method, path below the endpoint, JSON body or {@code null}, extra time the server may hold it, and
     * the name it is about ({@code null} if none), by which the node leading that name's shard is remembered.
     */
    record Call(String method, String path, JsonNode body, Duration holdTime, String route) {

        Call(String method, String path, JsonNode body, Duration holdTime) {
            this(method, path, body, holdTime, null);
        }

        boolean mutating() {
            return !method.equals("GET");
        }
    }

    /** A successful answer: its status and JSON body ({@code null} when it had none). */
    record Reply(int status, JsonNode body) {}

    private final HttpClient http;
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

    Transport(HttpClient http, ObjectMapper json, SinkronClient.Builder config, String clientId) {
        this.http = http;
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
            HttpRequest request = request(endpoints.get(index), call, body, lane, seq, timeout);
            SinkronException failure;
            try {
                HttpResponse<byte[]> response = exchange(request, timeout);
                learnRoute(call, response);
                Reply reply = readReply(response);
                if (reply != null) {
                    return reply;
                }
                Problem problem = readProblem(response);
                if (!Problems.retryable(problem)) {
                    throw Problems.toException(problem);
                }
                failure = Problems.toException(problem);
            } catch (IOException e) {
                failure = new SinkronException(Problems.UNAVAILABLE, 0, endpoints.get(index) + ": " + e, true, null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SinkronException(SinkronException.INTERRUPTED, 0, "", false, null, e);
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
    private void learnRoute(Call call, HttpResponse<byte[]> response) {
        if (call.route() == null) {
            return;
        }
        String leader = response.headers().firstValue(Headers.SHARD_LEADER).orElse(null);
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

    private HttpRequest request(URI endpoint, Call call, byte[] body, String lane, long seq, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + call.path()))
                .timeout(timeout)
                .header("Accept", "application/json, " + Problem.MEDIA_TYPE);
        if (lane != null) {
            request.header(CLIENT_ID_HEADER, lane).header(SEQUENCE_HEADER, Long.toString(seq));
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return request.method(
                        call.method(),
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /**
     * One exchange, bounded in time as a whole: {@link HttpRequest#timeout} covers only the wait for the headers, so a
     * body that stalls would otherwise hold the caller for ever.
     */
    private HttpResponse<byte[]> exchange(HttpRequest request, Duration timeout)
            throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, Transport::boundedBody);
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new HttpTimeoutException("no complete answer within " + timeout);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Reads a body announced no longer than {@link #RESPONSE_BYTES_MAX}; a longer one is discarded unread. */
    private static HttpResponse.BodySubscriber<byte[]> boundedBody(HttpResponse.ResponseInfo info) {
        long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        return length > RESPONSE_BYTES_MAX
                ? HttpResponse.BodySubscribers.replacing(TOO_LARGE)
                : HttpResponse.BodySubscribers.ofByteArray();
    }

    /** The reply to a 2xx answer, or {@code null} for an error answer. */
    private Reply readReply(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            return null;
        }
        byte[] bytes = checkedBody(response);
        if (bytes.length == 0) {
            return new Reply(status, null);
        }
        try {
            return new Reply(status, json.readTree(bytes));
        } catch (IOException e) {
            throw Problems.invalidResponse(status, "answer is not JSON: " + e.getMessage());
        }
    }

    private Problem readProblem(HttpResponse<byte[]> response) {
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        return Problems.read(json, response.statusCode(), contentType, checkedBody(response));
    }

    /** The body; a chunked one (no Content-Length) is checked only once read, within the attempt's time bound. */
    private static byte[] checkedBody(HttpResponse<byte[]> response) {
        byte[] bytes = response.body();
        if (bytes == TOO_LARGE || bytes.length > RESPONSE_BYTES_MAX) {
            throw Problems.invalidResponse(
                    response.statusCode(), "answer longer than " + RESPONSE_BYTES_MAX + " bytes");
        }
        return bytes;
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
