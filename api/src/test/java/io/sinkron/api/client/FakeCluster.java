package io.sinkron.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for a Sinkron cluster in one JVM: the replicated state (sessions, a lock table without queues, the
 * at-most-once table keeping the latest sequence and answer per client id) shared by any number of {@link FakeNode}s.
 * Acquires never wait: a busy lock answers {@code lock-timeout} at once. Thread-safe (one monitor).
 */
final class FakeCluster implements AutoCloseable {

    /** One answer as sent on the wire. */
    record Answer(int status, String contentType, byte[] body) {}

    /** One request as a node received it; {@code clientId} and {@code sequence} are {@code null} when absent. */
    record Recorded(String node, String method, String path, String clientId, String sequence) {}

    private record Hold(String sessionId, String mode, long token, long sinceMs) {}

    private record Remembered(long sequence, Answer answer) {}

    private static final Pattern KEEPALIVE = Pattern.compile("/v1/sessions/([0-9]+)/keepalive");
    private static final Pattern SESSION = Pattern.compile("/v1/sessions/([0-9]+)");
    private static final Pattern LOCK_OP = Pattern.compile("/v1/locks/(.+)/(acquire|release)");
    private static final Pattern LOCK = Pattern.compile("/v1/locks/(.+)");

    final ObjectMapper json = new ObjectMapper();
    private final List<FakeNode> nodes = new ArrayList<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Consumer<Recorded>> observers = new CopyOnWriteArrayList<>();
    private final Set<String> sessions = new HashSet<>();
    private final Map<String, List<Hold>> locks = new LinkedHashMap<>();
    private final Map<String, Remembered> clients = new HashMap<>();
    private long nextSession = 8_412_345_678_901_234L;
    private long nextToken = 1;

    private volatile URI lockLeader;

    /** Makes every node name {@code leader} as the shard leader on answers about locks (null: name none). */
    void lockLeader(URI leader) {
        lockLeader = leader;
    }

    URI lockLeader() {
        return lockLeader;
    }

    /** Starts one more node serving this cluster's state. */
    FakeNode startNode() throws IOException {
        FakeNode node = new FakeNode(this, "node-" + nodes.size());
        synchronized (this) {
            nodes.add(node);
        }
        return node;
    }

    /** Every request any node received, in arrival order. */
    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** Runs {@code observer} on every request as it arrives (on a node's thread). */
    void onRequest(Consumer<Recorded> observer) {
        observers.add(observer);
    }

    /** Expires a session as the cluster would after its ttl: gone, its holds released. */
    synchronized void expire(String sessionId) {
        sessions.remove(sessionId);
        releaseAll(sessionId);
    }

    void record(Recorded request) {
        requests.add(request);
        observers.forEach(observer -> observer.accept(request));
    }

    /** Serves one request against the shared state, deduplicating mutating requests per client id. */
    synchronized Answer serve(String method, String path, String clientId, String sequence, byte[] body)
            throws IOException {
        boolean deduplicated = !method.equals("GET") && clientId != null && sequence != null;
        long seq = deduplicated ? Long.parseLong(sequence) : 0;
        if (deduplicated) {
            Remembered seen = clients.get(clientId);
            if (seen != null && seen.sequence() == seq) {
                return seen.answer();
            }
            if (seen != null && seq < seen.sequence()) {
                return problem(409, "stale-sequence", "older than " + seen.sequence(), false, Map.of());
            }
        }
        Answer answer = apply(method, path, body.length == 0 ? json.createObjectNode() : json.readTree(body));
        if (deduplicated) {
            clients.put(clientId, new Remembered(seq, answer));
        }
        return answer;
    }

    private Answer apply(String method, String path, JsonNode body) throws IOException {
        Matcher m;
        if (method.equals("POST") && path.equals("/v1/sessions")) {
            String id = Long.toString(nextSession++);
            sessions.add(id);
            long ttlMs = body.path("ttlMs").asLong();
            return ok(201, node().put("sessionId", id).put("ttlMs", ttlMs).put("deadlineMs", ttlMs));
        } else if (method.equals("PUT") && (m = KEEPALIVE.matcher(path)).matches()) {
            return sessions.contains(m.group(1))
                    ? ok(
                            200,
                            node().put("sessionId", m.group(1)).put("ttlMs", 0).put("deadlineMs", 0))
                    : sessionNotFound(m.group(1));
        } else if (method.equals("DELETE") && (m = SESSION.matcher(path)).matches()) {
            if (!sessions.remove(m.group(1))) {
                return sessionNotFound(m.group(1));
            }
            releaseAll(m.group(1));
            return new Answer(204, "application/json", new byte[0]);
        } else if (method.equals("POST") && (m = LOCK_OP.matcher(path)).matches()) {
            String session = body.path("sessionId").asText();
            if (!sessions.contains(session)) {
                return sessionNotFound(session);
            }
            return m.group(2).equals("acquire")
                    ? acquire(m.group(1), session, body.path("mode").asText())
                    : release(m.group(1), session, body.path("token").asLong());
        } else if (method.equals("GET") && (m = LOCK.matcher(path)).matches()) {
            return describe(m.group(1));
        }
        return problem(404, "not-found", method + " " + path, false, Map.of());
    }

    private Answer acquire(String name, String session, String mode) throws IOException {
        List<Hold> holds = locks.computeIfAbsent(name, n -> new ArrayList<>());
        for (Hold hold : holds) {
            if (hold.sessionId().equals(session) && hold.mode().equals(mode)) {
                return granted(name, hold);
            }
        }
        boolean free = holds.isEmpty()
                || (mode.equals("shared")
                        && holds.stream().allMatch(h -> h.mode().equals("shared")));
        if (!free) {
            return problem(409, "lock-timeout", name + " is busy", false, Map.of());
        }
        Hold hold = new Hold(session, mode, nextToken++, 1_000);
        holds.add(hold);
        return granted(name, hold);
    }

    private Answer release(String name, String session, long token) throws IOException {
        List<Hold> holds = locks.getOrDefault(name, List.of());
        for (Hold hold : holds) {
            if (hold.sessionId().equals(session)) {
                if (hold.token() != token) {
                    return problem(409, "wrong-token", "token is " + hold.token(), false, Map.of());
                }
                holds.remove(hold);
                if (holds.isEmpty()) {
                    locks.remove(name);
                }
                return ok(200, node().put("name", name).put("token", token));
            }
        }
        return problem(409, "not-holder", session + " does not hold " + name, false, Map.of());
    }

    private Answer describe(String name) throws IOException {
        List<Hold> holds = locks.get(name);
        if (holds == null || holds.isEmpty()) {
            return problem(404, "not-found", "no lock " + name, false, Map.of());
        }
        ObjectNode info = node().put("name", name);
        ArrayNode holders = info.putArray("holders");
        for (Hold hold : holds) {
            holders.addObject()
                    .put("sessionId", hold.sessionId())
                    .put("mode", hold.mode())
                    .put("token", hold.token())
                    .put("sinceMs", hold.sinceMs());
        }
        info.putArray("waiters");
        info.putNull("delayUntilMs");
        return ok(200, info);
    }

    private void releaseAll(String session) {
        locks.values().forEach(holds -> holds.removeIf(hold -> hold.sessionId().equals(session)));
        locks.values().removeIf(List::isEmpty);
    }

    private Answer granted(String name, Hold hold) throws IOException {
        return ok(
                200,
                node().put("name", name)
                        .put("sessionId", hold.sessionId())
                        .put("mode", hold.mode())
                        .put("token", hold.token()));
    }

    private Answer sessionNotFound(String session) throws IOException {
        return problem(404, "session-not-found", "no session " + session, false, Map.of());
    }

    private ObjectNode node() {
        return json.createObjectNode();
    }

    private Answer ok(int status, JsonNode body) throws IOException {
        return new Answer(status, "application/json", json.writeValueAsBytes(body));
    }

    /** A problem+json answer with the given extensions next to the standard members. */
    Answer problem(int status, String slug, String detail, boolean retryable, Map<String, Object> extensions)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://sinkron.io/problems/" + slug);
        body.put("title", slug);
        body.put("status", status);
        body.put("detail", detail);
        body.put("retryable", retryable);
        body.putAll(extensions);
        return new Answer(status, "application/problem+json", json.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        List<FakeNode> all;
        synchronized (this) {
            all = List.copyOf(nodes);
        }
        all.forEach(FakeNode::stop);
    }
}
