package io.sinkron.nodes.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkron.nodes.process.LocalCluster;
import io.sinkron.nodes.process.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

// Proves the lock API end to end on three real node processes, through different entry nodes each time: sessions
// span every shard, grants carry growing fencing tokens, a try-lock on a held lock is refused, a waiting acquire is
// answered as soon as the holder releases (no polling), a release needs the grant's token, a wait that would close a
// cycle is refused with the cycle (at once within a shard, by the detector across shards), an expired session's lock
// passes to the next waiter and is announced on the WebSocket, and bad input gets a 4xx problem without changing
// anything.
class LockApiIT {

    /** Ttl of the sessions left to expire: the server's minimum is 1 s; 3 s leaves room for a loaded machine. */
    private static final long SHORT_TTL_MS = 3_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static LocalCluster cluster;
    private static List<NodeProcess> nodes;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.of(3, List.of());
        cluster.startAll();
        nodes = cluster.nodes();
        // Every shard led before the first request: sessions are opened on all of them.
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    JsonNode view = JSON.readTree(nodes.getFirst().get("/v1/cluster"));
                    for (JsonNode shard : view.path("shards")) {
                        if (shard.path("leader").isNull()) {
                            return false;
                        }
                    }
                    return view.path("shards").size() == 8;
                });
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void grantsRefusesWaitsAndHandsOverWithGrowingTokens() throws Exception {
        String a = openSession(node(0), 10_000);
        String b = openSession(node(1), 10_000);
        String name = "orders/42";

        HttpResponse<String> first = acquire(node(1), name, a, "exclusive", 0);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        long token = JSON.readTree(first.body()).path("token").asLong();
        assertThat(token).isPositive();

        HttpResponse<String> tryLock = acquire(node(2), name, b, "exclusive", 0);
        assertProblem(tryLock, 409, "lock-timeout");

        CompletableFuture<HttpResponse<String>> waiting = acquireAsync(node(2), name, b, "shared", 20_000);
        await().atMost(WAIT)
                .until(() -> JSON.readTree(get(node(0), "/v1/locks/" + name).body())
                                .path("waiters")
                                .size()
                        == 1);
        assertThat(waiting).isNotDone();

        assertProblem(release(node(0), name, a, token + 1), 409, "wrong-token");
        assertProblem(release(node(0), name, b, token), 409, "not-holder");
        assertThat(waiting).isNotDone();

        assertThat(release(node(0), name, a, token).statusCode()).isEqualTo(200);
        HttpResponse<String> granted = waiting.get();
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        JsonNode grant = JSON.readTree(granted.body());
        assertThat(grant.path("mode").asText()).isEqualTo("shared");
        assertThat(grant.path("token").asLong()).isGreaterThan(token);

        JsonNode described = JSON.readTree(get(node(1), "/v1/locks/" + name).body());
        assertThat(described.path("holders")).hasSize(1);
        assertThat(described.path("holders").get(0).path("sessionId").asText()).isEqualTo(b);

        JsonNode listed = JSON.readTree(get(node(2), "/v1/locks?prefix=orders/").body());
        List<String> names = new ArrayList<>();
        listed.path("locks").forEach(l -> names.add(l.path("name").asText()));
        assertThat(names).contains(name);

        assertThat(delete(node(1), "/v1/sessions/" + b).statusCode()).isEqualTo(204);
        assertThat(delete(node(1), "/v1/sessions/" + a).statusCode()).isEqualTo(204);
        await().atMost(WAIT).until(() -> get(node(0), "/v1/locks/" + name).statusCode() == 404);
    }

    @Test
    void aWaitThatWouldCloseACycleIsRefusedWithTheCycle() throws Exception {
        String a = openSession(node(0), 10_000);
        String b = openSession(node(0), 10_000);
        // Two names that hash to the same shard, so the cycle is visible to one state machine.
        String x = "dl/x";
        String y = sameShardAs(x);
        assertThat(acquire(node(0), x, a, "exclusive", 0).statusCode()).isEqualTo(200);
        assertThat(acquire(node(1), y, b, "exclusive", 0).statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> aWaitsForY = acquireAsync(node(2), y, a, "exclusive", 20_000);
        await().atMost(WAIT)
                .until(() -> JSON.readTree(get(node(0), "/v1/locks/" + y).body())
                                .path("waiters")
                                .size()
                        == 1);

        HttpResponse<String> refused = acquire(node(1), x, b, "exclusive", 20_000);
        JsonNode problem = assertProblem(refused, 409, "deadlock");
        List<String> sessions = new ArrayList<>();
        problem.path("cycle")
                .forEach(step -> sessions.add(step.path("sessionId").asText()));
        assertThat(sessions).contains(a, b);

        assertThat(delete(node(2), "/v1/sessions/" + b).statusCode()).isEqualTo(204);
        assertThat(aWaitsForY.get().statusCode()).isEqualTo(200);
        assertThat(delete(node(2), "/v1/sessions/" + a).statusCode()).isEqualTo(204);
    }

    @Test
    void aCycleThroughTwoShardsIsBrokenByAbortingTheYoungestWait() throws Exception {
        String a = openSession(node(0), 20_000);
        String b = openSession(node(1), 20_000);
        String x = "xs/x";
        String y = otherShardThan(x);
        assertThat(acquire(node(0), x, a, "exclusive", 0).statusCode()).isEqualTo(200);
        HttpResponse<String> yGrant = acquire(node(1), y, b, "exclusive", 0);
        assertThat(yGrant.statusCode()).isEqualTo(200);
        long yToken = JSON.readTree(yGrant.body()).path("token").asLong();

        CompletableFuture<HttpResponse<String>> aWaitsForY = acquireAsync(node(2), y, a, "exclusive", 30_000);
        await().atMost(WAIT)
                .until(() -> JSON.readTree(get(node(0), "/v1/locks/" + y).body())
                                .path("waiters")
                                .size()
                        == 1);
        // Each shard alone sees no cycle, so this wait is accepted; the detector finds it across the shards.
        HttpResponse<String> bWaitsForX = acquire(node(1), x, b, "exclusive", 30_000);
        JsonNode problem = assertProblem(bWaitsForX, 409, "deadlock");
        List<String> sessions = new ArrayList<>();
        problem.path("cycle")
                .forEach(step -> sessions.add(step.path("sessionId").asText()));
        assertThat(sessions).containsExactlyInAnyOrder(a, b);
        assertThat(aWaitsForY).isNotDone();

        assertThat(release(node(2), y, b, yToken).statusCode()).isEqualTo(200);
        assertThat(aWaitsForY.get().statusCode()).isEqualTo(200);
        assertThat(delete(node(2), "/v1/sessions/" + a).statusCode()).isEqualTo(204);
        assertThat(delete(node(2), "/v1/sessions/" + b).statusCode()).isEqualTo(204);
    }

    private static String otherShardThan(String name) throws Exception {
        int shard = JSON.readTree(get(node(0), "/v1/cluster/placement/" + name).body())
                .path("shard")
                .asInt();
        for (int i = 0; i < 1000; i++) {
            String candidate = "xs/y" + i;
            if (JSON.readTree(get(node(0), "/v1/cluster/placement/" + candidate).body())
                            .path("shard")
                            .asInt()
                    != shard) {
                return candidate;
            }
        }
        throw new IllegalStateException("every name on shard " + shard);
    }

    @Test
    void anExpiredSessionsLockPassesToTheNextWaiter() throws Exception {
        // Long enough that the first acquire lands before the expiry even on a loaded machine (a 1 s ttl did not).
        String short1 = openSession(node(1), SHORT_TTL_MS);
        String name = "expiring/1";
        assertThat(acquire(node(1), name, short1, "exclusive", 0).statusCode()).isEqualTo(200);
        String waiter = openSession(node(2), 30_000);
        // No keep-alive: the leader's clock ticks expire the session within about its ttl, and the waiter is granted.
        HttpResponse<String> granted = acquire(node(0), name, waiter, "exclusive", 20_000);
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        assertProblem(put(node(0), "/v1/sessions/" + short1 + "/keepalive"), 404, "session-not-found");
        HttpResponse<String> kept = put(node(1), "/v1/sessions/" + waiter + "/keepalive");
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
        assertThat(JSON.readTree(kept.body()).path("ttlMs").asLong()).isEqualTo(30_000);
        assertThat(JSON.readTree(kept.body()).path("deadlineMs").asLong()).isGreaterThan(System.currentTimeMillis());
        assertThat(delete(node(0), "/v1/sessions/" + waiter).statusCode()).isEqualTo(204);
    }

    @Test
    void badInputIsA4xxProblemAndChangesNothing() throws Exception {
        String a = openSession(node(0), 10_000);
        assertProblem(acquire(node(0), "bad%20name%21", a, "exclusive", 0), 400, "invalid-request");
        assertProblem(acquire(node(0), "ok", a, "sideways", 0), 400, "invalid-request");
        assertProblem(acquire(node(0), "ok", a, "EXCLUSIVE", 0), 400, "invalid-request");
        assertProblem(get(node(0), "/v1/locks?limit=abc"), 400, "invalid-request");
        assertProblem(get(node(0), "/v1/locks?limit=0"), 400, "invalid-request");
        assertProblem(get(node(0), "/v1/locks?limit=1001"), 400, "invalid-request");
        assertProblem(acquire(node(0), "ok", a, "exclusive", -1), 400, "invalid-request");
        assertProblem(acquire(node(0), "ok", a, "exclusive", 10_000_000), 400, "invalid-request");
        assertProblem(acquire(node(0), "ok", "12345", "exclusive", 0), 404, "session-not-found");
        assertProblem(acquire(node(0), "ok", "not-a-number", "exclusive", 0), 400, "invalid-request");
        assertProblem(post(node(0), "/v1/sessions", "{\"ttlMs\": 5}"), 400, "invalid-request");
        assertProblem(post(node(0), "/v1/sessions", "{\"ttl\": 5000}"), 400, "malformed-request");
        assertProblem(
                post(node(0), "/v1/locks/ok/acquire", "{\"sessionId\": \"" + a + "\", \"extra\": 1}"),
                400,
                "malformed-request");
        assertThat(get(node(0), "/v1/locks/ok").statusCode()).isEqualTo(404);
        assertThat(delete(node(0), "/v1/sessions/" + a).statusCode()).isEqualTo(204);
    }

    @Test
    void aBodyThatIsNotExactlyOneDocumentedJsonValueIsMalformedAndChangesNothing() throws Exception {
        String a = openSession(node(0), 10_000);
        String held = "strict/held";
        HttpResponse<String> granted = acquire(node(0), held, a, "exclusive", 0);
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        long token = JSON.readTree(granted.body()).path("token").asLong();
        String ok = acquireBody(a, "exclusive", 0);
        String session = "{\"sessionId\": \"" + a + "\"";
        for (String body : List.of(
                ok + " x",
                ok + "{}",
                session + ", \"mode\": \"exclusive\", \"mode\": \"shared\"}",
                session + ", \"waitMs\": 1.5}",
                session + ", \"waitMs\": \"10\"}",
                session + ", \"lockDelayMs\": \"10\"}",
                "{\"sessionId\": " + a + "}")) {
            assertProblem(post(node(0), "/v1/locks/strict/free/acquire", body), 400, "malformed-request");
        }
        // Each of these once released the lock (a string or a fraction read as the token) or failed as a bare 500.
        for (String body : List.of(
                session + ", \"token\": " + token + ", \"token\": " + token + "}",
                session + ", \"token\": " + token + ".5}",
                session + ", \"token\": \"" + token + "\"}",
                session + ", \"token\": " + token + "} x")) {
            assertProblem(post(node(1), "/v1/locks/" + held + "/release", body), 400, "malformed-request");
        }
        for (String body :
                List.of("{\"ttlMs\": 5000, \"ttlMs\": 6000}", "{\"ttlMs\": 1500.5}", "{\"ttlMs\": \"5000\"}")) {
            assertProblem(post(node(2), "/v1/sessions", body), 400, "malformed-request");
        }
        // No Content-Type: 415 like any other type the endpoint does not read, not read as JSON anyway.
        assertProblem(
                HTTP.send(
                        request(node(0), "/v1/locks/strict/free/acquire")
                                .POST(HttpRequest.BodyPublishers.ofString(ok))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                415,
                "unsupported-media-type");
        // Over the node's body limit: 413 with a problem saying the limit.
        JsonNode tooLarge = assertProblem(
                post(
                        node(0),
                        "/v1/locks/strict/free/acquire",
                        session + ", \"mode\": \"" + "x".repeat(200_000) + "\"}"),
                413,
                "payload-too-large");
        assertThat(tooLarge.path("limitBytes").asLong()).isEqualTo(128 * 1024);

        assertThat(get(node(0), "/v1/locks/strict/free").statusCode()).isEqualTo(404);
        JsonNode described = JSON.readTree(get(node(2), "/v1/locks/" + held).body());
        assertThat(described.path("holders")).hasSize(1);
        assertThat(described.path("holders").get(0).path("token").asLong()).isEqualTo(token);
        // The documented forms still work: numbers as numbers, the session id as a string, a body-less session.
        HttpResponse<String> waited =
                post(node(1), "/v1/locks/strict/free/acquire", session + ", \"mode\": \"shared\", \"waitMs\": 10}");
        assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
        assertThat(release(node(0), held, a, token).statusCode()).isEqualTo(200);
        HttpResponse<String> untyped = HTTP.send(
                request(node(0), "/v1/sessions")
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(untyped.statusCode()).as(untyped.body()).isEqualTo(201);
        String b = JSON.readTree(untyped.body()).path("sessionId").asText();
        assertThat(delete(node(0), "/v1/sessions/" + b).statusCode()).isEqualTo(204);
        assertThat(delete(node(0), "/v1/sessions/" + a).statusCode()).isEqualTo(204);
    }

    @Test
    void aPathThatURLNormalizationWouldChangeIsRefusedNotTakenForAnotherName() throws Exception {
        String a = openSession(node(0), 10_000);
        // Each of these once took another lock: 'a;b' took 'a', 'a//b' and 'a/./b' took 'a/b', 'a/../b' took 'b'.
        for (String name : List.of("a;b", "q;x=1", "a%3Bb", "a//b", "a/./b", "a/../b", "/a", "a/")) {
            assertProblem(acquire(node(1), name, a, "exclusive", 0), 400, "invalid-request");
            assertProblem(get(node(1), "/v1/locks/" + name), 400, "invalid-request");
        }
        for (String name : List.of("a", "b", "q", "a/b")) {
            assertThat(get(node(0), "/v1/locks/" + name).statusCode()).as(name).isEqualTo(404);
        }
        // A name with an empty segment is legal: reached with its slashes percent-encoded.
        HttpResponse<String> granted = acquire(node(1), "a%2F%2Fb", a, "exclusive", 0);
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        assertThat(JSON.readTree(granted.body()).path("name").asText()).isEqualTo("a//b");
        assertThat(release(
                                node(2),
                                "a%2F%2Fb",
                                a,
                                JSON.readTree(granted.body()).path("token").asLong())
                        .statusCode())
                .isEqualTo(200);
        assertThat(delete(node(0), "/v1/sessions/" + a).statusCode()).isEqualTo(204);
    }

    @Test
    void aSequenceUsedAgainForAnotherCallIsRefusedForGood() throws Exception {
        String a = openSession(node(0), 10_000);
        HttpResponse<String> granted =
                keyed(node(0), "/v1/locks/seq/reuse/acquire", acquireBody(a, "exclusive", 0), "it-reuse", 10);
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        long token = JSON.readTree(granted.body()).path("token").asLong();
        HttpResponse<String> released = keyed(
                node(0),
                "/v1/locks/seq/reuse/release",
                "{\"sessionId\": \"" + a + "\", \"token\": " + token + "}",
                "it-reuse",
                11);
        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);

        // Sequence 11 again, for an acquire: its remembered answer is the release's. Not retryable, and not applied.
        JsonNode problem = assertProblem(
                keyed(node(1), "/v1/locks/seq/reuse/acquire", acquireBody(a, "exclusive", 0), "it-reuse", 11),
                409,
                "stale-sequence");
        assertThat(problem.path("retryable").asBoolean()).isFalse();
        assertThat(get(node(0), "/v1/locks/seq/reuse").statusCode()).isEqualTo(404);
        assertProblem(release(node(0), "seq/reuse", a, 0), 400, "invalid-request");
        assertThat(delete(node(0), "/v1/sessions/" + a).statusCode()).isEqualTo(204);
    }

    private static HttpResponse<String> keyed(NodeProcess node, String path, String body, String client, long sequence)
            throws Exception {
        return post(node, path, body, "Sinkron-Client-Id", client, "Sinkron-Sequence", Long.toString(sequence));
    }

    @Test
    void theSocketPushesEventsAndAnswersAnAcquireWhenGranted() throws Exception {
        String holder = openSession(node(0), 10_000);
        String waiter = openSession(node(1), 10_000);
        Socket socket = Socket.open(node(2));
        try {
            socket.send("{\"op\": \"subscribe\", \"id\": \"s1\", \"prefixes\": [\"ws/\"]}");
            socket.await(m -> m.path("id").asText().equals("s1"));

            HttpResponse<String> first = acquire(node(0), "ws/x", holder, "exclusive", 0);
            assertThat(first.statusCode()).isEqualTo(200);
            long token = JSON.readTree(first.body()).path("token").asLong();
            socket.await(m -> event(m, "granted", holder, "ws/x"));

            socket.send("{\"op\": \"acquire\", \"id\": \"q1\", \"sessionId\": \"" + waiter
                    + "\", \"name\": \"ws/x\", \"mode\": \"exclusive\", \"waitMs\": 20000}");
            socket.await(m -> event(m, "waiting", waiter, "ws/x"));
            assertThat(socket.seen(m -> m.path("id").asText().equals("q1"))).isFalse();

            assertThat(release(node(1), "ws/x", holder, token).statusCode()).isEqualTo(200);
            JsonNode acquired = socket.await(m -> m.path("id").asText().equals("q1"));
            assertThat(acquired.path("type").asText()).isEqualTo("acquired");
            assertThat(acquired.path("token").asLong()).isGreaterThan(token);
            socket.await(m -> event(m, "released", holder, "ws/x"));
            socket.await(m -> event(m, "granted", waiter, "ws/x"));

            // No keep-alive for a short session: its expiry and the loss of its lock are announced. Opened only now,
            // so the steps above cannot use up its ttl; subscriptions add up.
            String doomed = openSession(node(0), SHORT_TTL_MS);
            socket.send("{\"op\": \"subscribe\", \"id\": \"s2\", \"sessions\": [\"" + doomed + "\"]}");
            socket.await(m -> m.path("id").asText().equals("s2"));
            assertThat(acquire(node(0), "ws/y", doomed, "exclusive", 0).statusCode())
                    .isEqualTo(200);
            socket.await(m -> event(m, "expired", doomed, null));
            socket.await(m -> event(m, "lost", doomed, "ws/y"));

            socket.send("not json");
            JsonNode error = socket.await(m -> m.path("type").asText().equals("error"));
            assertThat(error.path("problem").path("type").asText()).endsWith("/malformed-request");
        } finally {
            socket.close();
        }
        assertThat(delete(node(0), "/v1/sessions/" + holder).statusCode()).isEqualTo(204);
        assertThat(delete(node(0), "/v1/sessions/" + waiter).statusCode()).isEqualTo(204);
    }

    @Test
    void aWaitingAcquireOnTheSocketDoesNotHoldUpTheReleaseThatGrantsIt() throws Exception {
        String holder = openSession(node(0), 10_000);
        String waiter = openSession(node(0), 10_000);
        Socket socket = Socket.open(node(1));
        try {
            socket.send(socketAcquire("h1", holder, "ws/line", 0, null));
            JsonNode held = socket.await(m -> m.path("id").asText().equals("h1"));
            assertThat(held.path("type").asText()).as(held.toString()).isEqualTo("acquired");
            long token = held.path("token").asLong();

            // The waiter's acquire comes first on the connection; the release that grants it comes after it.
            socket.send(socketAcquire("w1", waiter, "ws/line", 20_000, null));
            socket.send("{\"op\": \"release\", \"id\": \"h2\", \"sessionId\": \"" + holder
                    + "\", \"name\": \"ws/line\", \"token\": " + token + "}");
            JsonNode released = socket.await(m -> m.path("id").asText().equals("h2"));
            assertThat(released.path("type").asText()).as(released.toString()).isEqualTo("released");
            JsonNode granted = socket.await(m -> m.path("id").asText().equals("w1"));
            assertThat(granted.path("type").asText()).as(granted.toString()).isEqualTo("acquired");
            assertThat(granted.path("token").asLong()).isGreaterThan(token);
        } finally {
            socket.close();
        }
        assertThat(delete(node(0), "/v1/sessions/" + holder).statusCode()).isEqualTo(204);
        assertThat(delete(node(0), "/v1/sessions/" + waiter).statusCode()).isEqualTo(204);
    }

    @Test
    void anAcquireRepeatedOnTheSocketWithItsIdempotencyKeyIsAppliedOnce() throws Exception {
        String session = openSession(node(0), 10_000);
        Socket socket = Socket.open(node(2));
        try {
            String key = "\"clientId\": \"it-socket\", \"sequence\": \"41\"";
            socket.send(socketAcquire("a1", session, "ws/once", 0, key));
            JsonNode first = socket.await(m -> m.path("id").asText().equals("a1"));
            assertThat(first.path("type").asText()).as(first.toString()).isEqualTo("acquired");
            assertThat(first.path("shardLeader").asText()).startsWith("http://");
            long token = first.path("token").asLong();
            assertThat(release(node(1), "ws/once", session, token).statusCode()).isEqualTo(200);

            // The same key again (a retry after a lost answer): the first answer, and no second grant.
            socket.send(socketAcquire("a2", session, "ws/once", 0, key));
            JsonNode again = socket.await(m -> m.path("id").asText().equals("a2"));
            assertThat(again.path("type").asText()).as(again.toString()).isEqualTo("acquired");
            assertThat(again.path("token").asLong()).isEqualTo(token);
            assertThat(get(node(0), "/v1/locks/ws/once").statusCode()).isEqualTo(404);

            // A key without its other half is refused.
            socket.send(socketAcquire("a3", session, "ws/once", 0, "\"clientId\": \"it-socket\""));
            JsonNode refused = socket.await(m -> m.path("id").asText().equals("a3"));
            assertThat(refused.path("problem").path("type").asText()).endsWith("/invalid-request");
            assertThat(refused.path("problem").path("status").asInt()).isEqualTo(400);
            assertThat(get(node(0), "/v1/locks/ws/once").statusCode()).isEqualTo(404);
        } finally {
            socket.close();
        }
        assertThat(delete(node(0), "/v1/sessions/" + session).statusCode()).isEqualTo(204);
    }

    @Test
    void theShardLeaderAnswersSocketCallsAsAFollowerThatRoutesThemDoes() throws Exception {
        // On the shard's leader a socket call is proposed straight to its driver and answered from the raw reply; on
        // a follower it is routed. A client must not be able to tell the two apart by the answers.
        String session = openSession(node(0), 10_000);
        String name = "ws/alike";
        Socket probe = Socket.open(node(0));
        String leaderUrl;
        try {
            probe.send(socketAcquire("p1", session, name, 0, null));
            JsonNode first = probe.await(m -> m.path("id").asText().equals("p1"));
            leaderUrl = first.path("shardLeader").asText();
            probe.send(socketRelease("p2", session, name, first.path("token").asLong()));
            assertThat(probe.await(m -> m.path("id").asText().equals("p2"))
                            .path("type")
                            .asText())
                    .isEqualTo("released");
        } finally {
            probe.close();
        }
        NodeProcess leader = nodes.stream()
                .filter(n -> leaderUrl.startsWith(n.url().toString().replaceAll("/$", "")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no node at " + leaderUrl));
        NodeProcess follower =
                nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();

        List<List<JsonNode>> answers = new ArrayList<>();
        for (NodeProcess node : List.of(leader, follower)) {
            Socket socket = Socket.open(node);
            try {
                socket.send(socketAcquire("a", session, name, 0, null));
                JsonNode granted = socket.await(m -> m.path("id").asText().equals("a"));
                long token = granted.path("token").asLong();
                socket.send(socketRelease("w", session, name, token + 1));
                JsonNode wrongToken = socket.await(m -> m.path("id").asText().equals("w"));
                socket.send(socketRelease("r", session, name, token));
                JsonNode released = socket.await(m -> m.path("id").asText().equals("r"));
                answers.add(List.of(granted, wrongToken, released));
            } finally {
                socket.close();
            }
        }
        List<JsonNode> direct = answers.get(0);
        List<JsonNode> routed = answers.get(1);
        for (int i = 0; i < direct.size(); i++) {
            assertThat(fieldNames(direct.get(i)))
                    .as(direct.get(i) + " vs " + routed.get(i))
                    .isEqualTo(fieldNames(routed.get(i)));
        }
        JsonNode grantDirect = direct.get(0);
        JsonNode grantRouted = routed.get(0);
        assertThat(grantDirect.path("type").asText()).isEqualTo("acquired");
        for (String field : List.of("name", "sessionId", "mode", "type", "shardLeader")) {
            assertThat(grantDirect.path(field)).as(field).isEqualTo(grantRouted.path(field));
        }
        assertThat(grantDirect.path("shardLeader").asText()).isEqualTo(leaderUrl);
        assertThat(grantRouted.path("token").asLong())
                .isGreaterThan(grantDirect.path("token").asLong());
        for (String field : List.of("type", "title", "status", "instance", "retryable")) {
            assertThat(direct.get(1).path("problem").path(field))
                    .as(field)
                    .isEqualTo(routed.get(1).path("problem").path(field));
        }
        assertThat(direct.get(1).path("problem").path("type").asText()).endsWith("/wrong-token");
        assertThat(direct.get(2).path("type").asText()).isEqualTo("released");
        assertThat(direct.get(2).path("token")).isEqualTo(grantDirect.path("token"));
        assertThat(routed.get(2).path("token")).isEqualTo(grantRouted.path("token"));
        assertThat(get(node(0), "/v1/locks/" + name).statusCode()).isEqualTo(404);
        assertThat(delete(node(0), "/v1/sessions/" + session).statusCode()).isEqualTo(204);
    }

    private static java.util.Set<String> fieldNames(JsonNode message) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        message.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String socketRelease(String id, String session, String name, long token) {
        return "{\"op\": \"release\", \"id\": \"" + id + "\", \"sessionId\": \"" + session + "\", \"name\": \"" + name
                + "\", \"token\": " + token + "}";
    }

    @Test
    void badSocketMessagesGetA4xxProblemAndTheSocketStaysOpen() throws Exception {
        String session = openSession(node(0), 10_000);
        Socket socket = Socket.open(node(0));
        try {
            Map<String, String> bad = new java.util.LinkedHashMap<>();
            bad.put("b1", "{\"op\": \"acquire\", \"id\": \"b1\", \"sessionId\": \"" + session + "\"}");
            bad.put("b2", socketAcquire("b2", session, "ws/bad", 0, "\"bogus\": 1"));
            bad.put("b3", socketAcquire("b3", session, "ws/bad", -1, null));
            bad.put(
                    "b4",
                    "{\"op\": \"release\", \"id\": \"b4\", \"sessionId\": \"" + session
                            + "\", \"name\": \"ws/bad\", \"token\": \"abc\"}");
            bad.put("b5", socketAcquire("b5", session, "ws/bad name", 0, null));
            bad.put("b6", "{\"op\": \"lock\", \"id\": \"b6\"}");
            bad.put("b7", socketAcquire("b7", session, "ws/bad", 0, null).replace("\"waitMs\": 0", "\"waitMs\": 1.5"));
            bad.put(
                    "b9",
                    socketAcquire("b9", session, "ws/bad", 0, null).replace("\"waitMs\": 0", "\"waitMs\": \"10\""));
            for (Map.Entry<String, String> message : bad.entrySet()) {
                socket.send(message.getValue());
                JsonNode answer = socket.await(m -> m.path("id").asText().equals(message.getKey()));
                assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("error");
                assertThat(answer.path("problem").path("status").asInt())
                        .as(answer.toString())
                        .isBetween(400, 499);
            }
            // Messages whose id cannot be read are answered without one.
            socket.send(socketAcquire("b10", session, "ws/bad", 0, null) + " x");
            socket.send(socketAcquire("b11", session, "ws/bad", 0, null).replace("\"id\": \"b11\"", "\"id\": {}"));
            socket.send(socketAcquire("b8", session, "ws/bad", 0, "\"mode\": \"shared\"")); // a repeated key
            socket.sendBinary();
            for (int i = 0; i < 4; i++) {
                JsonNode error = socket.await(m -> m.path("type").asText().equals("error")
                        && !m.has("id")
                        && m.path("problem").path("type").asText().endsWith("/malformed-request"));
                socket.received.remove(error);
            }
            // Still open, and nothing was acquired.
            socket.send("{\"op\": \"subscribe\", \"id\": \"s9\", \"names\": [\"ws/bad\"]}");
            assertThat(socket.await(m -> m.path("id").asText().equals("s9"))
                            .path("type")
                            .asText())
                    .isEqualTo("subscribed");
            assertThat(get(node(0), "/v1/locks/ws/bad").statusCode()).isEqualTo(404);
        } finally {
            socket.close();
        }
        assertThat(delete(node(0), "/v1/sessions/" + session).statusCode()).isEqualTo(204);
    }

    @Test
    void callsSentAsOneArrayAreEachAnsweredAndOnlyABatchingSocketGetsArraysBack() throws Exception {
        String session = openSession(node(0), 10_000);
        for (String query : List.of("?batch=true", "")) {
            Socket socket = Socket.open(node(1), query);
            try {
                int calls = 6;
                List<String> acquires = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    acquires.add(socketAcquire("q" + i, session, "ws/array/" + i, 0, null));
                }
                socket.send("[" + String.join(",", acquires) + "]");
                List<String> releases = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    String id = "q" + i;
                    JsonNode granted = socket.await(m -> m.path("id").asText().equals(id));
                    assertThat(granted.path("type").asText())
                            .as(granted.toString())
                            .isEqualTo("acquired");
                    assertThat(granted.path("name").asText()).isEqualTo("ws/array/" + i);
                    releases.add(socketRelease(
                            "r" + i,
                            session,
                            "ws/array/" + i,
                            granted.path("token").asLong()));
                }
                socket.send("[" + String.join(",", releases) + "]");
                for (int i = 0; i < calls; i++) {
                    String id = "r" + i;
                    JsonNode released = socket.await(m -> m.path("id").asText().equals(id));
                    assertThat(released.path("type").asText())
                            .as(released.toString())
                            .isEqualTo("released");
                }

                // An array with something other than calls in it: that element is refused, the rest still run.
                socket.send("[" + socketAcquire("m1", session, "ws/array/m", 0, null) + ", 7]");
                JsonNode refused = socket.await(m -> m.path("type").asText().equals("error"));
                assertThat(refused.path("problem").path("status").asInt()).isEqualTo(400);
                JsonNode mixed = socket.await(m -> m.path("id").asText().equals("m1"));
                socket.send(socketRelease(
                        "m2", session, "ws/array/m", mixed.path("token").asLong()));
                assertThat(socket.await(m -> m.path("id").asText().equals("m2"))
                                .path("type")
                                .asText())
                        .isEqualTo("released");

                // Too many calls in one array: refused whole, nothing applied.
                List<String> tooMany = new ArrayList<>();
                for (int i = 0; i < 129; i++) {
                    tooMany.add(socketAcquire("t" + i, session, "ws/array/many" + i, 0, null));
                }
                socket.send("[" + String.join(",", tooMany) + "]");
                socket.send("{\"op\": \"subscribe\", \"id\": \"after\", \"names\": [\"ws/array/x\"]}");
                socket.await(m -> m.path("id").asText().equals("after"));
                assertThat(socket.seen(m -> m.path("id").asText().startsWith("t")))
                        .isFalse();
                assertThat(socket.seen(
                                m -> m.path("problem").path("detail").asText().contains("at most 128")))
                        .isTrue();
                assertThat(get(node(0), "/v1/locks/ws/array/many0").statusCode())
                        .isEqualTo(404);
                assertThat(get(node(0), "/v1/locks/ws/array/many128").statusCode())
                        .isEqualTo(404);
                if (query.isEmpty()) {
                    assertThat(socket.arrays)
                            .as("a socket that did not ask for batches")
                            .hasValue(0);
                }
            } finally {
                socket.close();
            }
        }
        assertThat(delete(node(0), "/v1/sessions/" + session).statusCode()).isEqualTo(204);
    }

    private static String socketAcquire(String id, String session, String name, long waitMs, String key) {
        return "{\"op\": \"acquire\", \"id\": \"" + id + "\", \"sessionId\": \"" + session + "\", \"name\": \"" + name
                + "\", \"mode\": \"exclusive\", \"waitMs\": " + waitMs + (key == null ? "" : ", " + key) + "}";
    }

    private static boolean event(JsonNode message, String event, String session, String name) {
        return message.path("type").asText().equals("event")
                && message.path("event").asText().equals(event)
                && message.path("sessionId").asText().equals(session)
                && (name == null || message.path("name").asText().equals(name));
    }

    /** A WebSocket client that keeps every message it received, in order. */
    private static final class Socket implements java.net.http.WebSocket.Listener {
        private final java.util.concurrent.BlockingQueue<JsonNode> inbox =
                new java.util.concurrent.LinkedBlockingQueue<>();
        final List<JsonNode> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private java.net.http.WebSocket socket;

        /** Frames that held an array of messages (only a socket opened with {@code ?batch=true} may get them). */
        final java.util.concurrent.atomic.AtomicInteger arrays = new java.util.concurrent.atomic.AtomicInteger();

        static Socket open(NodeProcess node) throws Exception {
            return open(node, "");
        }

        static Socket open(NodeProcess node, String query) throws Exception {
            Socket listener = new Socket();
            listener.socket = HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://" + node.url().getAuthority() + "/v1/ws/locks" + query), listener)
                    .get();
            return listener;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(
                java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(partial.toString());
                    if (frame.isArray()) {
                        arrays.incrementAndGet();
                        frame.forEach(inbox::add);
                    } else {
                        inbox.add(frame);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        void sendBinary() {
            socket.sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), true)
                    .join();
        }

        /** Waits (bounded) for the first message, from the start of the connection, that matches. */
        JsonNode await(java.util.function.Predicate<JsonNode> wanted) throws InterruptedException {
            for (JsonNode seen : received) {
                if (wanted.test(seen)) {
                    return seen;
                }
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode next = inbox.poll(deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
                if (next == null) {
                    break;
                }
                received.add(next);
                if (wanted.test(next)) {
                    return next;
                }
            }
            throw new AssertionError("no such message within " + WAIT + "; received " + received);
        }

        boolean seen(java.util.function.Predicate<JsonNode> wanted) {
            inbox.drainTo(received);
            return received.stream().anyMatch(wanted);
        }

        void close() {
            socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }

    // ---- helpers ----

    private static NodeProcess node(int i) {
        return nodes.get(i);
    }

    private static String sameShardAs(String name) throws Exception {
        int shard = JSON.readTree(get(node(0), "/v1/cluster/placement/" + name).body())
                .path("shard")
                .asInt();
        for (int i = 0; i < 1000; i++) {
            String candidate = "dl/y" + i;
            if (JSON.readTree(get(node(0), "/v1/cluster/placement/" + candidate).body())
                            .path("shard")
                            .asInt()
                    == shard) {
                return candidate;
            }
        }
        throw new IllegalStateException("no name on shard " + shard);
    }

    private static String openSession(NodeProcess node, long ttlMs) throws Exception {
        HttpResponse<String> response = post(node, "/v1/sessions", "{\"ttlMs\": " + ttlMs + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).path("sessionId").asText();
    }

    private static HttpResponse<String> acquire(NodeProcess node, String name, String session, String mode, long waitMs)
            throws Exception {
        return post(node, "/v1/locks/" + name + "/acquire", acquireBody(session, mode, waitMs));
    }

    private static CompletableFuture<HttpResponse<String>> acquireAsync(
            NodeProcess node, String name, String session, String mode, long waitMs) {
        return HTTP.sendAsync(
                request(node, "/v1/locks/" + name + "/acquire")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(acquireBody(session, mode, waitMs)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String acquireBody(String session, String mode, long waitMs) {
        return "{\"sessionId\": \"" + session + "\", \"mode\": \"" + mode + "\", \"waitMs\": " + waitMs + "}";
    }

    private static HttpResponse<String> release(NodeProcess node, String name, String session, long token)
            throws Exception {
        return post(
                node,
                "/v1/locks/" + name + "/release",
                "{\"sessionId\": \"" + session + "\", \"token\": " + token + "}");
    }

    private static JsonNode assertProblem(HttpResponse<String> response, int status, String type) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo("https://sinkron.io/problems/" + type);
        return problem;
    }

    private static HttpRequest.Builder request(NodeProcess node, String path) {
        return HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(40));
    }

    /** A JSON POST; {@code headers} are further name, value pairs. */
    private static HttpResponse<String> post(NodeProcess node, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder builder = request(node, path).header("Content-Type", "application/json");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(
                builder.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(NodeProcess node, String path) throws Exception {
        return HTTP.send(
                request(node, path).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Accepts only JSON, as a plain JSON client does: a 204 or a problem must still come back, never a 406. */
    private static HttpResponse<String> delete(NodeProcess node, String path) throws Exception {
        return HTTP.send(
                request(node, path)
                        .header("Accept", "application/json")
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(NodeProcess node, String path) throws Exception {
        return HTTP.send(request(node, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
