package io.sinkron.nodes.locks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.sinkron.api.Headers;
import io.sinkron.api.problem.ProblemType;
import io.sinkron.nodes.lock.CycleStep;
import io.sinkron.nodes.lock.LockEvent;
import io.sinkron.nodes.lock.LockMode;
import io.sinkron.nodes.lock.LockReply;
import io.sinkron.nodes.raft.RaftReply;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@code /v1/ws/locks}: lock events pushed as they apply on this node, and acquire/release on the socket (docs/api.md
 * has the message format). An acquire is answered when granted, never by polling. Each connection has a bounded
 * number of messages in flight; a client that cannot keep up is disconnected rather than buffered without limit.
 * Handlers return {@link Uni}, so they run on the event loop and never block it.
 */
@WebSocket(path = "/v1/ws/locks")
public class LockSocket {

    private static final Logger LOG = Logger.getLogger(LockSocket.class);
    /** Strict: a message with a repeated key or anything after its JSON value is malformed, as a REST body is. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Messages sent but not yet written per connection before it is closed as too slow. */
    static final int IN_FLIGHT_MAX = 10_000;

    /** Lock calls (acquire, release) one connection may have under way at a time. */
    static final int PENDING_MAX = 4_096;

    /** Names, prefixes and sessions one connection may subscribe to. */
    static final int SUBSCRIPTIONS_MAX = 1_000;

    /** Largest text message accepted from a client. */
    static final int MESSAGE_CHARS_MAX = 64 * 1024;

    /** Calls one message may carry as a JSON array. */
    static final int CALLS_PER_MESSAGE_MAX = 128;

    /** Messages a node puts in one frame to a batching connection. */
    static final int BATCH_MESSAGES_MAX = 256;

    /** Length of a batched frame after which the node starts another. */
    static final int BATCH_CHARS_MAX = 64 * 1024;

    private final LockResource locks;
    private final LockEvents events;
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();

    LockSocket(LockResource locks, LockEvents events) {
        this.locks = locks;
        this.events = events;
    }

    /** One connection's subscriptions; read on the driver thread, changed on the connection's event loop. */
    private final class Subscriber implements Consumer<LockEvent> {
        final WebSocketConnection connection;
        final Set<String> names = ConcurrentHashMap.newKeySet();
        final Set<String> prefixes = ConcurrentHashMap.newKeySet();
        final Set<Long> sessions = ConcurrentHashMap.newKeySet();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger pending = new AtomicInteger();
        /** The client asked for {@code ?batch=true}: messages written together may share one frame, as an array. */
        final boolean batch;
        /** Messages not yet written, when batching; one task on the connection's event loop drains them. */
        final Queue<String> outbox = new ConcurrentLinkedQueue<>();

        final AtomicBoolean draining = new AtomicBoolean();
        /** The connection's event loop, known from its first message. */
        volatile Context loop;

        Subscriber(WebSocketConnection connection) {
            this.connection = connection;
            this.batch = batchAsked(connection.handshakeRequest().query());
        }

        int size() {
            return names.size() + prefixes.size() + sessions.size();
        }

        boolean wants(String name, long session) {
            if (sessions.contains(session)) {
                return true;
            }
            if (name == null) {
                return false;
            }
            if (names.contains(name)) {
                return true;
            }
            for (String prefix : prefixes) {
                if (name.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void accept(LockEvent event) {
            String name = nameOf(event);
            if (wants(name, sessionOf(event))) {
                send(eventMessage(event));
            }
        }

        void send(ObjectNode message) {
            send(message.toString());
        }

        void send(String message) {
            if (inFlight.incrementAndGet() > IN_FLIGHT_MAX) {
                inFlight.decrementAndGet();
                LOG.warnf("lock socket %s: %d messages unwritten; closing it", connection.id(), IN_FLIGHT_MAX);
                connection
                        .close()
                        .subscribe()
                        .with(ok -> {}, e -> LOG.debugf("lock socket %s: close failed: %s", connection.id(), e));
                return;
            }
            Context context = loop;
            if (!batch || context == null) {
                write(message, 1);
                return;
            }
            outbox.add(message);
            if (draining.compareAndSet(false, true)) {
                context.runOnContext(ignored -> drain());
            }
        }

        /**
         * Writes what the outbox holds: one message as it is, several as one JSON array per frame. Vert.x flushes
         * every write made outside a read, so answers that the driver completed together cost one system call here
         * (and one read at the client) instead of one each.
         */
        private void drain() {
            draining.set(false); // a message added from here on schedules another drain
            for (String first = outbox.poll(); first != null; first = outbox.poll()) {
                String next = outbox.poll();
                if (next == null) {
                    write(first, 1);
                    continue;
                }
                StringBuilder frame =
                        new StringBuilder(first.length() * 4).append('[').append(first);
                int count = 1;
                while (next != null) {
                    frame.append(',').append(next);
                    count++;
                    if (count == BATCH_MESSAGES_MAX || frame.length() >= BATCH_CHARS_MAX) {
                        break;
                    }
                    next = outbox.poll();
                }
                write(frame.append(']').toString(), count);
            }
        }

        private void write(String text, int messages) {
            connection
                    .sendText(text)
                    .subscribe()
                    .with(ok -> inFlight.addAndGet(-messages), e -> inFlight.addAndGet(-messages));
        }
    }

    /** Whether the socket's query string asks for batched frames: {@code batch=true}. */
    static boolean batchAsked(String query) {
        if (query == null) {
            return false;
        }
        for (String pair : query.split("&", 16)) {
            if (pair.equals("batch=true")) {
                return true;
            }
        }
        return false;
    }

    @OnOpen
    void onOpen(WebSocketConnection connection) {
        Subscriber subscriber = new Subscriber(connection);
        subscribers.put(connection.id(), subscriber);
        events.subscribe(subscriber);
    }

    @OnClose
    void onClose(WebSocketConnection connection) {
        Subscriber subscriber = subscribers.remove(connection.id());
        if (subscriber != null) {
            events.unsubscribe(subscriber);
        }
    }

    @OnTextMessage
    Uni<Void> onMessage(String text, WebSocketConnection connection) {
        Subscriber subscriber = subscribers.get(connection.id());
        if (subscriber == null) {
            return Uni.createFrom().voidItem();
        }
        if (subscriber.loop == null && Context.isOnEventLoopThread()) {
            subscriber.loop = Vertx.currentContext();
        }
        JsonNode message;
        try {
            if (text.length() > MESSAGE_CHARS_MAX) {
                throw new IllegalArgumentException("a message has at most " + MESSAGE_CHARS_MAX + " characters");
            }
            message = JSON.readTree(text);
            if (message == null || !(message.isObject() || message.isArray())) {
                throw new IllegalArgumentException("a message is a JSON object, or an array of them");
            }
            if (message.size() > CALLS_PER_MESSAGE_MAX && message.isArray()) {
                throw new IllegalArgumentException("an array carries at most " + CALLS_PER_MESSAGE_MAX + " calls");
            }
        } catch (Exception e) {
            subscriber.send(error(null, ProblemType.MALFORMED_REQUEST, e.getMessage()));
            return Uni.createFrom().voidItem();
        }
        if (!message.isArray()) {
            handle(subscriber, message);
            return Uni.createFrom().voidItem();
        }
        for (JsonNode call : message) {
            if (call.isObject()) {
                handle(subscriber, call);
            } else {
                subscriber.send(error(null, ProblemType.MALFORMED_REQUEST, "an array carries JSON objects only"));
            }
        }
        return Uni.createFrom().voidItem();
    }

    /** One call: answered (now or when it completes) on the subscriber's socket, never thrown. */
    private void handle(Subscriber subscriber, JsonNode message) {
        JsonNode idNode = message.get("id");
        if (idNode != null && !idNode.isTextual()) {
            subscriber.send(error(null, ProblemType.MALFORMED_REQUEST, "id must be a string"));
            return;
        }
        String id = idNode == null ? null : idNode.asText();
        String op = message.path("op").asText("");
        String unknown = unknownField(message, FIELDS.getOrDefault(op, Set.of("op", "id")));
        if (unknown != null) {
            subscriber.send(
                    error(id, ProblemType.MALFORMED_REQUEST, "unknown field '" + unknown + "' for op '" + op + "'"));
            return;
        }
        try {
            switch (op) {
                case "subscribe" -> {
                    subscribe(subscriber, message, true);
                    reply(subscriber, id, "subscribed");
                }
                case "unsubscribe" -> {
                    subscribe(subscriber, message, false);
                    reply(subscriber, id, "unsubscribed");
                }
                case "acquire" -> {
                    LockApi.AcquireRequest request = new LockApi.AcquireRequest(
                            text(message, "sessionId"),
                            text(message, "mode"),
                            number(message, "waitMs"),
                            number(message, "lockDelayMs"));
                    String name = name(message);
                    String client = text(message, "clientId");
                    String sequence = sequence(message);
                    detached(subscriber, id, () -> acquire(subscriber, id, name, request, client, sequence));
                }
                case "release" -> {
                    LockApi.ReleaseRequest request =
                            new LockApi.ReleaseRequest(text(message, "sessionId"), number(message, "token"));
                    String name = name(message);
                    String client = text(message, "clientId");
                    String sequence = sequence(message);
                    detached(subscriber, id, () -> release(subscriber, id, name, request, client, sequence));
                }
                default ->
                    throw new IllegalArgumentException(
                            "op must be subscribe, unsubscribe, acquire or release, was '" + op + "'");
            }
        } catch (Malformed e) {
            subscriber.send(error(id, ProblemType.MALFORMED_REQUEST, e.getMessage()));
        } catch (IllegalArgumentException e) {
            subscriber.send(error(id, ProblemType.INVALID_REQUEST, e.getMessage()));
        } catch (RuntimeException e) {
            // A bug, not the client's fault: answer it on the socket rather than let the connection close with 1011.
            LOG.warnf(e, "lock socket: op '%s' failed", op);
            subscriber.send(error(id, ProblemType.INTERNAL_ERROR, "the node failed on this message: " + e));
        }
    }

    /** A field of the wrong JSON type: {@code malformed-request}, as REST answers a body of the wrong shape. */
    private static final class Malformed extends IllegalArgumentException {
        Malformed(String message) {
            super(message);
        }
    }

    /** A binary frame: the socket speaks JSON text only; answered, and the connection stays open. */
    @OnBinaryMessage
    Uni<Void> onBinary(Buffer data, WebSocketConnection connection) {
        Subscriber subscriber = subscribers.get(connection.id());
        if (subscriber != null) {
            subscriber.send(
                    error(null, ProblemType.MALFORMED_REQUEST, "messages are JSON text frames, not binary frames"));
        }
        return Uni.createFrom().voidItem();
    }

    /** The fields each op reads; any other is refused, as unknown JSON fields are over REST. */
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "subscribe", Set.of("op", "id", "names", "prefixes", "sessions"),
            "unsubscribe", Set.of("op", "id", "names", "prefixes", "sessions"),
            "acquire", Set.of("op", "id", "sessionId", "name", "mode", "waitMs", "lockDelayMs", "clientId", "sequence"),
            "release", Set.of("op", "id", "sessionId", "name", "token", "clientId", "sequence"));

    private static String unknownField(JsonNode message, Set<String> known) {
        for (java.util.Iterator<String> names = message.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!known.contains(field)) {
                return field.length() > 64 ? field.substring(0, 64) + "..." : field;
            }
        }
        return null;
    }

    /** The lock's name, which every lock call needs. */
    private static String name(JsonNode message) {
        JsonNode node = message.get("name");
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("name is required: 1-256 of [A-Za-z0-9._:/-]");
        }
        return node.asText();
    }

    /**
     * Runs a lock call apart from the connection's message order and returns at once: the socket delivers messages
     * one after another and waits for the {@link Uni} a handler returns, so returning the call itself would let one
     * waiting acquire hold up every later message, including the release that would grant it. At most
     * {@link #PENDING_MAX} calls per connection run at a time; beyond that the call is refused with 429 before it is
     * even built, so a refused call leaves nothing behind.
     */
    private static void detached(Subscriber subscriber, String id, Supplier<CompletionStage<Void>> work) {
        if (subscriber.pending.incrementAndGet() > PENDING_MAX) {
            subscriber.pending.decrementAndGet();
            subscriber.send(
                    error(id, ProblemType.LIMIT_REACHED, "at most " + PENDING_MAX + " calls per connection at a time"));
            return;
        }
        CompletionStage<Void> call;
        try {
            call = work.get();
        } catch (RuntimeException e) {
            subscriber.pending.decrementAndGet();
            throw e;
        }
        call.whenComplete((ok, e) -> {
            subscriber.pending.decrementAndGet();
            if (e != null) {
                LOG.debugf(e, "lock call on a socket failed");
                subscriber.send(error(id, ProblemType.UNAVAILABLE, "the call failed: " + e.getMessage()));
            }
        });
    }

    /**
     * An acquire on the socket. The Java client sends it to the shard's leader, so it is proposed straight to this
     * node's driver and its grant answered on the connection's event loop, written directly as JSON: no routing, no
     * Mutiny pipeline and no JAX-RS response on the driver thread, which a profile showed spending a quarter of its
     * time there. Anything else (input the checks refuse, a wait, a refusal, this node not the leader) takes the REST
     * path's code, so answers are worded the same either way.
     */
    private CompletionStage<Void> acquire(
            Subscriber subscriber,
            String id,
            String name,
            LockApi.AcquireRequest request,
            String client,
            String sequence) {
        Context context = Vertx.currentContext();
        LockResource.Acquiring checked = prepared(context, () -> locks.prepareAcquire(name, request, client, sequence));
        if (checked == null) {
            return routed(subscriber, id, "acquired", locks.acquire(name, request, client, sequence));
        }
        LockEvents.Waiter ended = events.expect(checked.session(), name);
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(
                context,
                locks.proposeHere(checked.shard(), checked.command()),
                done,
                () -> events.forget(checked.session(), name, ended),
                reply -> {
                    String leader = locks.leaderUrl(checked.shard());
                    switch (reply) {
                        case RaftReply.Done applied -> {
                            LockReply outcome = LockReply.decode(applied.result());
                            if (outcome instanceof LockReply.Granted granted) {
                                events.forget(checked.session(), name, ended);
                                subscriber.send(grantAnswer(id, name, checked.session(), granted, leader));
                                done.complete(null);
                            } else {
                                settle(
                                        done,
                                        locks.afterAcquire(checked, outcome, ended)
                                                .map(response -> answer(subscriber, id, "acquired", response, leader)));
                            }
                        }
                        case RaftReply.Unavailable unavailable
                        when !unavailable.retrySafe() -> {
                            events.forget(checked.session(), name, ended);
                            answer(
                                    subscriber,
                                    id,
                                    "acquired",
                                    LockResource.unavailable(unavailable.reason(), false, checked.path()),
                                    leader);
                            done.complete(null);
                        }
                        default -> { // not proposed here (not the leader, overloaded): route it
                            events.forget(checked.session(), name, ended);
                            settle(
                                    done,
                                    locks.acquire(name, request, client, sequence)
                                            .map(response -> answer(subscriber, id, "acquired", response)));
                        }
                    }
                });
        return done;
    }

    /** A release on the socket: proposed here like {@link #acquire}, and routed when it cannot be. */
    private CompletionStage<Void> release(
            Subscriber subscriber,
            String id,
            String name,
            LockApi.ReleaseRequest request,
            String client,
            String sequence) {
        Context context = Vertx.currentContext();
        LockResource.Releasing checked = prepared(context, () -> locks.prepareRelease(name, request, client, sequence));
        if (checked == null) {
            return routed(subscriber, id, "released", locks.release(name, request, client, sequence));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(context, locks.proposeHere(checked.shard(), checked.command()), done, () -> {}, reply -> {
            String leader = locks.leaderUrl(checked.shard());
            switch (reply) {
                case RaftReply.Done applied -> {
                    LockReply outcome = LockReply.decode(applied.result());
                    if (outcome instanceof LockReply.Released released) {
                        subscriber.send(releaseAnswer(id, name, released.token(), leader));
                    } else {
                        answer(
                                subscriber,
                                id,
                                "released",
                                LockResource.releaseAnswer(outcome, name, checked.path()),
                                leader);
                    }
                    done.complete(null);
                }
                case RaftReply.Unavailable unavailable
                when !unavailable.retrySafe() -> {
                    answer(
                            subscriber,
                            id,
                            "released",
                            LockResource.unavailable(unavailable.reason(), false, checked.path()),
                            leader);
                    done.complete(null);
                }
                default ->
                    settle(
                            done,
                            locks.release(name, request, client, sequence)
                                    .map(response -> answer(subscriber, id, "released", response)));
            }
        });
        return done;
    }

    /**
     * Handles the driver's reply on the connection's event loop. A failed proposal, or an exception while answering,
     * runs {@code cleanup} and fails {@code done}, which {@link #detached} answers as a problem on the socket: the
     * caller always hears back, and the connection's count of calls under way goes down.
     */
    private static void onLoop(
            Context context,
            CompletionStage<RaftReply> proposal,
            CompletableFuture<Void> done,
            Runnable cleanup,
            Consumer<RaftReply> handle) {
        proposal.whenComplete((reply, failure) -> context.runOnContext(ignored -> {
            try {
                if (failure != null) {
                    throw new CompletionException(failure);
                }
                handle.accept(reply);
            } catch (RuntimeException e) {
                cleanup.run();
                done.completeExceptionally(e);
            }
        }));
    }

    /**
     * The checked call, or null when it must take the routed path: off an event loop (no context to answer on), or
     * refused by the checks (the routed path answers it, in its own words).
     */
    private static <T> T prepared(Context context, Supplier<T> prepare) {
        if (context == null) {
            return null;
        }
        try {
            return prepare.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static CompletionStage<Void> routed(Subscriber subscriber, String id, String type, Uni<Response> call) {
        return call.map(response -> answer(subscriber, id, type, response)).subscribeAsCompletionStage();
    }

    private static void settle(CompletableFuture<Void> done, Uni<Void> answered) {
        answered.subscribe().with(done::complete, done::completeExceptionally);
    }

    private static String grantAnswer(String id, String name, long session, LockReply.Granted granted, String leader) {
        return written(json -> {
            json.writeStringField("name", name);
            json.writeStringField("sessionId", Long.toString(session));
            json.writeStringField("mode", mode(granted.mode()));
            json.writeNumberField("token", granted.token());
            json.writeStringField("type", "acquired");
            tail(json, id, leader);
        });
    }

    private static String releaseAnswer(String id, String name, long token, String leader) {
        return written(json -> {
            json.writeStringField("name", name);
            json.writeNumberField("token", token);
            json.writeStringField("type", "released");
            tail(json, id, leader);
        });
    }

    private static void tail(JsonGenerator json, String id, String leader) throws IOException {
        if (id != null) {
            json.writeStringField("id", id);
        }
        if (leader != null) {
            json.writeStringField("shardLeader", leader);
        }
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /** One JSON object with {@code fields}, written straight to text (the answers every lock cycle sends). */
    private static String written(Fields fields) {
        StringWriter text = new StringWriter(160);
        try (JsonGenerator json = JSON.getFactory().createGenerator(text)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    private static void subscribe(Subscriber subscriber, JsonNode message, boolean add) {
        Set<String> names = strings(message, "names");
        Set<String> prefixes = strings(message, "prefixes");
        Set<Long> sessions = new HashSet<>();
        for (String session : strings(message, "sessions")) {
            try {
                sessions.add(Long.parseLong(session));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sessions are the decimal ids POST /v1/sessions returned");
            }
        }
        for (String name : names) {
            if (!io.sinkron.nodes.lock.LockCommand.isName(name)) {
                throw new IllegalArgumentException("names are 1-256 of [A-Za-z0-9._:/-]");
            }
        }
        for (String prefix : prefixes) {
            if (prefix.length() > 256 || !prefix.matches("[A-Za-z0-9._:/-]*")) {
                throw new IllegalArgumentException("prefixes are at most 256 of [A-Za-z0-9._:/-]");
            }
        }
        if (add) {
            if (subscriber.size() + names.size() + prefixes.size() + sessions.size() > SUBSCRIPTIONS_MAX) {
                throw new IllegalArgumentException("a connection subscribes to at most " + SUBSCRIPTIONS_MAX);
            }
            subscriber.names.addAll(names);
            subscriber.prefixes.addAll(prefixes);
            subscriber.sessions.addAll(sessions);
        } else {
            subscriber.names.removeAll(names);
            subscriber.prefixes.removeAll(prefixes);
            subscriber.sessions.removeAll(sessions);
        }
    }

    private static Set<String> strings(JsonNode message, String field) {
        JsonNode node = message.path(field);
        Set<String> values = new HashSet<>();
        if (node.isMissingNode() || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(field + " must be an array of strings");
        }
        for (JsonNode value : node) {
            if (!value.isTextual()) {
                throw new IllegalArgumentException(field + " must be an array of strings");
            }
            values.add(value.asText());
        }
        return values;
    }

    private static String text(JsonNode message, String field) {
        JsonNode node = message.path(field);
        return node.isTextual() ? node.asText() : null;
    }

    private static Long number(JsonNode message, String field) {
        JsonNode node = message.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw new Malformed(field + " must be a whole number");
        }
        if (!node.canConvertToLong()) {
            throw new Malformed(field + " does not fit a 64-bit integer");
        }
        return node.asLong();
    }

    /** The idempotency sequence as the REST header carries it: a decimal, given as a JSON string or number. */
    private static String sequence(JsonNode message) {
        JsonNode node = message.get("sequence");
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Long.toString(node.asLong());
        }
        throw new IllegalArgumentException("sequence must be a decimal (a string or a whole number)");
    }

    private static void reply(Subscriber subscriber, String id, String type) {
        ObjectNode message = JSON.createObjectNode().put("type", type);
        if (id != null) {
            message.put("id", id);
        }
        subscriber.send(message);
    }

    private static Void answer(Subscriber subscriber, String id, String type, Response response) {
        return answer(subscriber, id, type, response, response.getHeaderString(Headers.SHARD_LEADER));
    }

    private static Void answer(Subscriber subscriber, String id, String type, Response response, String leader) {
        ObjectNode message;
        if (response.getStatus() / 100 == 2) {
            message = JSON.valueToTree(response.getEntity());
            message.put("type", type);
        } else {
            message = JSON.createObjectNode().put("type", "error");
            message.set("problem", JSON.valueToTree(response.getEntity()));
        }
        if (id != null) {
            message.put("id", id);
        }
        if (leader != null) {
            message.put("shardLeader", leader);
        }
        subscriber.send(message);
        return null;
    }

    private static ObjectNode error(String id, ProblemType type, String detail) {
        ObjectNode message = JSON.createObjectNode().put("type", "error");
        if (id != null) {
            message.put("id", id);
        }
        message.set(
                "problem",
                JSON.createObjectNode()
                        .put("type", ProblemType.TYPE_PREFIX + type.slug())
                        .put("status", type.status())
                        .put("detail", detail)
                        .put("retryable", type.retryable()));
        return message;
    }

    static ObjectNode eventMessage(LockEvent event) {
        ObjectNode message = JSON.createObjectNode().put("type", "event");
        switch (event) {
            case LockEvent.Granted g ->
                fill(message, "granted", g.index(), g.session(), g.name())
                        .put("mode", mode(g.mode()))
                        .put("token", g.token());
            case LockEvent.Waiting w ->
                fill(message, "waiting", w.index(), w.session(), w.name())
                        .put("mode", mode(w.mode()))
                        .put("position", w.position());
            case LockEvent.Released r ->
                fill(message, "released", r.index(), r.session(), r.name()).put("token", r.token());
            case LockEvent.Lost l ->
                fill(message, "lost", l.index(), l.session(), l.name()).put("token", l.token());
            case LockEvent.Expired e -> fill(message, "expired", e.index(), e.session(), null);
            case LockEvent.Timeout t -> fill(message, "timeout", t.index(), t.session(), t.name());
            case LockEvent.Cancelled c -> fill(message, "cancelled", c.index(), c.session(), c.name());
            case LockEvent.Deadlock d -> {
                fill(message, "deadlock", d.index(), d.session(), d.name());
                var cycle = message.putArray("cycle");
                for (CycleStep step : d.cycle()) {
                    cycle.addObject()
                            .put("sessionId", Long.toString(step.session()))
                            .put("lock", step.lock());
                }
            }
        }
        return message;
    }

    private static ObjectNode fill(ObjectNode message, String event, long index, long session, String name) {
        message.put("event", event).put("index", index).put("sessionId", Long.toString(session));
        if (name != null) {
            message.put("name", name);
        }
        return message;
    }

    private static String mode(LockMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static String nameOf(LockEvent event) {
        return switch (event) {
            case LockEvent.Granted g -> g.name();
            case LockEvent.Waiting w -> w.name();
            case LockEvent.Released r -> r.name();
            case LockEvent.Lost l -> l.name();
            case LockEvent.Expired e -> null;
            case LockEvent.Timeout t -> t.name();
            case LockEvent.Cancelled c -> c.name();
            case LockEvent.Deadlock d -> d.name();
        };
    }

    private static long sessionOf(LockEvent event) {
        return switch (event) {
            case LockEvent.Granted g -> g.session();
            case LockEvent.Waiting w -> w.session();
            case LockEvent.Released r -> r.session();
            case LockEvent.Lost l -> l.session();
            case LockEvent.Expired e -> e.session();
            case LockEvent.Timeout t -> t.session();
            case LockEvent.Cancelled c -> c.session();
            case LockEvent.Deadlock d -> d.session();
        };
    }
}
