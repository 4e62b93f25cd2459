package io.sinkron.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The Java client of a Sinkron cluster: sessions and locks over the HTTP API (DESIGN.md §7); acquire and release go
 * over each node's lock socket by default ({@link Builder#locksOverSocket(boolean)}).
 *
 * <p>Any node is an entry point. A request goes to the current endpoint; on a connection failure, a timeout or a
 * retryable problem (e.g. {@code no-leader}) the client moves to the next endpoint and sends the same request again
 * with the same {@code Sinkron-Client-Id} and {@code Sinkron-Sequence}, so the cluster applies it at most once. Retries
 * are bounded by {@link Builder#attemptsMax(int)}; when they run out the call throws {@link
 * SinkronUnavailableException}, and the outcome of a mutating call is then unknown. Other problems become typed
 * exceptions at once: {@link LockTimeoutException}, {@link DeadlockException}, {@link SessionExpiredException}, {@link
 * NotHolderException}, or a plain {@link SinkronException} carrying the problem's slug.
 *
 * <p>Thread-safe. Every call blocks the calling thread until it has an answer; {@link #lock} may block for its wait
 * plus the request timeout per attempt. Sessions are kept alive by one daemon thread owned by the client.
 */
public final class SinkronClient implements AutoCloseable {

    /** The longest wait the contract allows for an acquire. */
    public static final Duration LOCK_WAIT_MAX = Duration.ofMinutes(5);

    /** The longest lock-delay the contract allows. */
    public static final Duration LOCK_DELAY_MAX = Duration.ofMinutes(1);

    /** Connections the client keeps to all endpoints together; callers beyond them wait for one (rule 12). */
    public static final int CONNECTIONS_MAX = 512;

    private static final JsonNode EMPTY_ARRAY = JsonNodeFactory.instance.arrayNode();

    private final String clientId;
    private final ObjectMapper json = new ObjectMapper();
    private final CloseableHttpClient http;
    private final java.net.http.HttpClient socketHttp;
    private final LockSockets sockets;
    private final Transport transport;
    private final ScheduledThreadPoolExecutor keepAlives;
    private final ScheduledThreadPoolExecutor deadlines;
    private final Set<Session> openSessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SinkronClient(Builder builder) {
        this.clientId = builder.clientId == null ? UUID.randomUUID().toString() : builder.clientId;
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(CONNECTIONS_MAX)
                        .setMaxConnPerRoute(CONNECTIONS_MAX)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(builder.requestTimeout))
                                // A node may close an idle connection; check one idle this long before reusing it.
                                .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                                .build())
                        .build())
                .disableAutomaticRetries() // retries are the transport's, with the same idempotency key
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                .disableAuthCaching()
                .build();
        // The client's two threads of its own (STYLE.md rule 14): one sends every session's keep-alives (and blocks in
        // them); the other only cuts off exchanges that outlive their time, so no keep-alive can delay a deadline.
        this.keepAlives = daemonScheduler("sinkron-keepalive-" + clientId);
        this.deadlines = daemonScheduler("sinkron-deadline-" + clientId);
        this.socketHttp = builder.locksOverSocket
                ? java.net.http.HttpClient.newBuilder()
                        .connectTimeout(builder.requestTimeout)
                        // The sockets' own threads: they read answers and complete sends, never run a caller's code.
                        .executor(Executors.newCachedThreadPool(daemonThreads("sinkron-socket-" + clientId)))
                        .build()
                : null;
        this.sockets = socketHttp == null ? null : new LockSockets(socketHttp, json, builder.endpoints());
        this.transport = new Transport(http, sockets, deadlines, json, builder, clientId);
    }

    private static ScheduledThreadPoolExecutor daemonScheduler(String name) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads(name));
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    private static ThreadFactory daemonThreads(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A builder; {@link Builder#endpoints(List)} is required, everything else has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The client id this client sends in {@code Sinkron-Client-Id} (concurrent calls add a {@code .<n>} suffix). */
    public String clientId() {
        return clientId;
    }

    /**
     * Opens a session and starts keeping it alive every {@code ttl / 3}. Close it when done: that releases its locks.
     *
     * @param ttl how long the session lives without a keep-alive; the cluster accepts 1 s to 5 min
     * @throws SinkronException if the cluster refuses (e.g. {@code invalid-request} for a ttl out of range)
     * @throws SinkronUnavailableException if no endpoint answered; a session may have been opened, and then expires
     */
    public Session openSession(Duration ttl) {
        ensureOpen();
        long ttlMs = ttl.toMillis();
        if (ttlMs <= 0) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        ObjectNode body = json.createObjectNode().put("ttlMs", ttlMs);
        long sentNanos = System.nanoTime();
        JsonNode reply = send(new Transport.Call("POST", "/v1/sessions", body, Duration.ZERO));
        String id = text(reply, "sessionId");
        if (!Names.isSessionId(id)) {
            throw Problems.invalidResponse(201, "sessionId is not a positive 63-bit decimal: " + id);
        }
        Session session = new Session(this, id, Duration.ofMillis(number(reply, "ttlMs")), sentNanos);
        openSessions.add(session);
        session.start(keepAlives);
        return session;
    }

    /**
     * Acquires a lock, waiting up to {@code wait} for it, and returns the fencing token of the hold. The server holds
     * the request until the lock is granted or the wait ends. Asking again for a lock the session holds in the same
     * mode returns the same token; a shared holder asking for exclusive upgrades.
     *
     * @param wait how long to wait for the lock; zero for a try-lock, at most {@link #LOCK_WAIT_MAX}
     * @return the fencing token: pass it to whatever the lock protects, which refuses tokens older than the newest seen
     * @throws LockTimeoutException if the lock was still busy when the wait ended
     * @throws DeadlockException if waiting would close a wait-for cycle
     * @throws SessionExpiredException if the session is gone (the session is then marked lost)
     * @throws SinkronUnavailableException if no endpoint answered; the lock may have been granted
     */
    public long lock(Session session, String name, LockMode mode, Duration wait) {
        return lock(session, name, mode, wait, Duration.ZERO);
    }

    /**
     * Like {@link #lock(Session, String, LockMode, Duration)}, with a lock-delay: if the session is lost while holding
     * the lock, nobody is granted it for {@code lockDelay} afterwards, since the lost holder may still act.
     *
     * @param lockDelay zero for none, at most {@link #LOCK_DELAY_MAX}
     */
    public long lock(Session session, String name, LockMode mode, Duration wait, Duration lockDelay) {
        requireWithin("wait", wait, LOCK_WAIT_MAX);
        requireWithin("lockDelay", lockDelay, LOCK_DELAY_MAX);
        Objects.requireNonNull(mode, "mode");
        ObjectNode body = json.createObjectNode()
                .put("sessionId", requireOwn(session).id())
                .put("mode", mode.wire())
                .put("waitMs", wait.toMillis());
        if (!lockDelay.isZero()) {
            body.put("lockDelayMs", lockDelay.toMillis());
        }
        String path = "/v1/locks/" + Names.pathOf(Names.requireName(name)) + "/acquire";
        JsonNode reply = sendFor(session, new Transport.Call("POST", path, body, wait, name, "acquire"));
        return number(reply, "token");
    }

    /**
     * Acquires a lock if it can be granted at once.
     *
     * @return the fencing token, or empty if the lock is busy (or a lock-delay runs)
     * @throws DeadlockException if an upgrade would close a wait-for cycle
     * @throws SessionExpiredException if the session is gone (the session is then marked lost)
     * @throws SinkronUnavailableException if no endpoint answered; the lock may have been granted
     */
    public OptionalLong tryLock(Session session, String name, LockMode mode) {
        try {
            return OptionalLong.of(lock(session, name, mode, Duration.ZERO));
        } catch (LockTimeoutException busy) {
            return OptionalLong.empty();
        }
    }

    /**
     * Releases the hold with this fencing token. Releasing again after a lost answer is safe: the retry carries the
     * same sequence and gets the first answer.
     *
     * @throws NotHolderException if the session does not hold the lock, or holds it under another token
     * @throws SessionExpiredException if the session is gone (the session is then marked lost)
     * @throws SinkronUnavailableException if no endpoint answered; the lock may have been released
     */
    public void unlock(Session session, String name, long token) {
        ObjectNode body = json.createObjectNode()
                .put("sessionId", requireOwn(session).id())
                .put("token", token);
        String path = "/v1/locks/" + Names.pathOf(Names.requireName(name)) + "/release";
        sendFor(session, new Transport.Call("POST", path, body, Duration.ZERO, name, "release"));
    }

    /**
     * Describes a lock: holders, waiters and lock-delay, as the cluster sees it now.
     *
     * @return the lock, or empty if it has no holder, no waiter and no lock-delay (the cluster then knows no such lock)
     * @throws SinkronUnavailableException if no endpoint answered
     */
    public Optional<LockInfo> describe(String name) {
        ensureOpen();
        JsonNode reply;
        try {
            reply = send(new Transport.Call(
                    "GET", "/v1/locks/" + Names.pathOf(Names.requireName(name)), null, Duration.ZERO, name));
        } catch (SinkronException e) {
            if (e.slug().equals(Problems.NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(lockInfo(reply));
    }

    /**
     * Stops keeping sessions alive and releases the HTTP client. Sessions still open are not deleted: they expire
     * after their ttl, and their {@link Session#onLost} listeners hear {@link LostReason.ClientClosed}. Calls still
     * running may fail. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        keepAlives.shutdownNow();
        for (Session session : List.copyOf(openSessions)) {
            session.lose(new LostReason.ClientClosed());
        }
        http.close(CloseMode.IMMEDIATE);
        if (sockets != null) {
            sockets.close();
            socketHttp.shutdownNow();
        }
        deadlines.shutdownNow();
    }

    // Calls used by Session.

    /**
     * Sends one keep-alive, giving up at {@code deadlineNanos}. Any 2xx counts: the body (the new deadline, on the
     * server's clock) is not needed, since the client counts the ttl from its own send time.
     */
    void keepAlive(Session session, long deadlineNanos) {
        transport.send(
                new Transport.Call("PUT", "/v1/sessions/" + session.id() + "/keepalive", null, Duration.ZERO),
                deadlineNanos);
    }

    /** Deletes the session; an already gone session counts as deleted. */
    void deleteSession(Session session) {
        try {
            send(new Transport.Call("DELETE", "/v1/sessions/" + session.id(), null, Duration.ZERO));
        } catch (SinkronException e) {
            if (e.status() != 404) { // 404: gone already, which is what close() wanted
                throw e;
            }
        } finally {
            openSessions.remove(session);
        }
    }

    void forget(Session session) {
        openSessions.remove(session);
    }

    // Helpers.

    private JsonNode send(Transport.Call call) {
        return transport.send(call, Transport.NO_DEADLINE).body();
    }

    /** Sends a call on behalf of a session; an answer that the session is gone marks it lost. */
    private JsonNode sendFor(Session session, Transport.Call call) {
        try {
            return send(call);
        } catch (SessionExpiredException e) {
            session.lose(new LostReason.Expired(e.detail()));
            throw e;
        }
    }

    private Session requireOwn(Session session) {
        ensureOpen();
        if (session.client() != this) {
            throw new IllegalArgumentException("session " + session.id() + " belongs to another client");
        }
        if (session.isClosed()) {
            throw new IllegalStateException("session " + session.id() + " is closed");
        }
        return session;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("client " + clientId + " is closed");
        }
    }

    private static void requireWithin(String what, Duration value, Duration max) {
        if (value.isNegative() || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(what + " must be 0.." + max + ", was " + value);
        }
    }

    private static LockInfo lockInfo(JsonNode reply) {
        List<LockInfo.Holder> holders = new ArrayList<>();
        for (JsonNode holder : array(reply, "holders")) {
            holders.add(new LockInfo.Holder(
                    text(holder, "sessionId"), mode(holder), number(holder, "token"), number(holder, "sinceMs")));
        }
        List<LockInfo.Waiter> waiters = new ArrayList<>();
        for (JsonNode waiter : array(reply, "waiters")) {
            waiters.add(new LockInfo.Waiter(
                    text(waiter, "sessionId"),
                    mode(waiter),
                    waiter.path("upgrade").asBoolean(false),
                    number(waiter, "sinceMs"),
                    number(waiter, "deadlineMs")));
        }
        JsonNode delay = reply.path("delayUntilMs");
        OptionalLong delayUntilMs =
                delay.isIntegralNumber() && delay.asLong() > 0 ? OptionalLong.of(delay.asLong()) : OptionalLong.empty();
        return new LockInfo(text(reply, "name"), holders, waiters, delayUntilMs);
    }

    private static LockMode mode(JsonNode node) {
        try {
            return LockMode.fromWire(text(node, "mode"));
        } catch (IllegalArgumentException e) {
            throw Problems.invalidResponse(200, e.getMessage());
        }
    }

    private static JsonNode array(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return EMPTY_ARRAY;
        }
        if (!value.isArray()) {
            throw Problems.invalidResponse(200, "'" + field + "' is not an array");
        }
        return value;
    }

    /** A string member; numbers are accepted too, as ids may be sent either way. */
    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !(value.isTextual() || value.isIntegralNumber())) {
            throw Problems.invalidResponse(200, "answer lacks string '" + field + "'");
        }
        return value.asText();
    }

    /** An integral member; a decimal string is accepted too, as JavaScript-safe servers send large longs so. */
    private static long number(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value != null && value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value != null && value.isTextual()) {
            try {
                return Long.parseLong(value.asText());
            } catch (NumberFormatException e) {
                throw Problems.invalidResponse(200, "'" + field + "' is not a number: " + value.asText());
            }
        }
        throw Problems.invalidResponse(200, "answer lacks number '" + field + "'");
    }

    /** Configures a {@link SinkronClient}. Not thread-safe; build once. */
    public static final class Builder {

        /** The highest {@link #attemptsMax(int)} accepted: every retry loop has a limit. */
        public static final int ATTEMPTS_MAX_LIMIT = 100;

        private List<URI> endpoints = List.of();
        private String clientId;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int attemptsMax;
        private Duration backoffBase = Duration.ofMillis(20);
        private Duration backoffMax = Duration.ofMillis(500);
        private boolean locksOverSocket = true;

        private Builder() {}

        /**
         * The nodes to talk to, e.g. {@code http://node-1:8080}; any node serves every request. The first is tried
         * first. Required.
         */
        public Builder endpoints(List<URI> endpoints) {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("at least one endpoint is needed");
            }
            List<URI> normalised = new ArrayList<>();
            for (URI endpoint : endpoints) {
                String scheme = endpoint.getScheme();
                if (!"http".equals(scheme) && !"https".equals(scheme) || endpoint.getHost() == null) {
                    throw new IllegalArgumentException("an endpoint is an http(s) URI with a host, was " + endpoint);
                }
                String text = endpoint.toString();
                normalised.add(URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text));
            }
            this.endpoints = List.copyOf(normalised);
            return this;
        }

        /**
         * The idempotency identity of this client: 1-123 of {@code [A-Za-z0-9._:-]}. Default: a random UUID. Reuse
         * one only for the same logical client; sequences start from the clock, so a restarted process may reuse its
         * id.
         */
        public Builder clientId(String clientId) {
            this.clientId = Names.requireClientId(clientId);
            return this;
        }

        /**
         * How long one attempt may take to connect and to get an answer (plus the lock wait for an acquire). Default
         * 5 s.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
            }
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * How many attempts one call makes at most, across all endpoints, before it throws {@link
         * SinkronUnavailableException}. Default: twice the number of endpoints, at least 3.
         */
        public Builder attemptsMax(int attemptsMax) {
            if (attemptsMax < 1 || attemptsMax > ATTEMPTS_MAX_LIMIT) {
                throw new IllegalArgumentException(
                        "attemptsMax must be 1.." + ATTEMPTS_MAX_LIMIT + ", was " + attemptsMax);
            }
            this.attemptsMax = attemptsMax;
            return this;
        }

        /**
         * The back-off between attempts: the n-th retry waits a random time up to {@code base * 2^(n-1)}, capped at
         * {@code max}. Default 20 ms and 500 ms.
         */
        public Builder backoff(Duration base, Duration max) {
            if (base.isNegative() || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("backoff needs 0 <= base <= max, was " + base + ", " + max);
            }
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /**
         * Whether {@link SinkronClient#lock} and {@link SinkronClient#unlock} go over each node's lock socket
         * ({@code /v1/ws/locks}: one connection per node carries every call, so no HTTP request per call) or as HTTP
         * requests. Both carry the same idempotency key, so retries apply once either way. Default: the socket.
         */
        public Builder locksOverSocket(boolean locksOverSocket) {
            this.locksOverSocket = locksOverSocket;
            return this;
        }

        /**
         * Creates the client; until closed it owns two daemon threads (keep-alives, deadlines), an HTTP client, and
         * with {@link #locksOverSocket} one socket per node it used, served by daemon threads of its own.
         *
         * @throws IllegalStateException if no endpoint was given
         */
        public SinkronClient build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("endpoints(...) is required");
            }
            return new SinkronClient(this);
        }

        List<URI> endpoints() {
            return endpoints;
        }

        Duration requestTimeout() {
            return requestTimeout;
        }

        int attemptsMax() {
            return attemptsMax > 0 ? attemptsMax : Math.max(3, 2 * endpoints.size());
        }

        Duration backoffBase() {
            return backoffBase;
        }

        Duration backoffMax() {
            return backoffMax;
        }
    }
}
