package io.sinkron.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

// Proves the client against an in-JVM fake cluster playing the HTTP contract: failover over dead or unavailable
// endpoints with the same idempotency identity, problem mapping to typed exceptions, keep-alives and session loss.
@Timeout(30)
class SinkronClientTest {

    private static final Duration LONG_TTL = Duration.ofSeconds(60);
    private static final Duration SHORT_TTL = Duration.ofMillis(300);

    private final FakeCluster cluster = new FakeCluster();
    private final List<SinkronClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(SinkronClient::close);
        cluster.close();
    }

    @Test
    void locksDescribesAndUnlocks() throws IOException {
        SinkronClient client = client(cluster.startNode().uri());
        try (Session alice = client.openSession(LONG_TTL);
                Session bob = client.openSession(LONG_TTL)) {
            long token = client.lock(alice, "jobs/nightly", LockMode.EXCLUSIVE, Duration.ofSeconds(1));

            assertThat(client.tryLock(bob, "jobs/nightly", LockMode.SHARED)).isEmpty();
            LockInfo info = client.describe("jobs/nightly").orElseThrow();
            assertThat(info.holders())
                    .containsExactly(new LockInfo.Holder(alice.id(), LockMode.EXCLUSIVE, token, 1_000));
            assertThat(info.delayUntilMs()).isEmpty();

            client.unlock(alice, "jobs/nightly", token);
            assertThat(client.describe("jobs/nightly")).isEmpty();
            assertThat(client.tryLock(bob, "jobs/nightly", LockMode.SHARED)).isPresent();
        }
        List<FakeCluster.Recorded> mutating = cluster.requests().stream()
                .filter(r -> !r.method().equals("GET"))
                .toList();
        assertThat(mutating).allSatisfy(r -> assertThat(r.clientId()).isEqualTo(client.clientId()));
        assertThat(mutating.stream().map(r -> Long.parseLong(r.sequence())).toList())
                .isSorted()
                .doesNotHaveDuplicates();
        assertThat(cluster.requests())
                .filteredOn(r -> r.method().equals("GET"))
                .allSatisfy(r -> assertThat(r.clientId()).isNull());
    }

    @Test
    void movesToTheNextEndpointWhenTheFirstIsDown() throws IOException {
        FakeNode node = cluster.startNode();
        SinkronClient client = client(closedPort(), node.uri());

        try (Session session = client.openSession(LONG_TTL)) {
            assertThat(client.tryLock(session, "a", LockMode.EXCLUSIVE)).isPresent();
        }
        assertThat(cluster.requests()).extracting(FakeCluster.Recorded::node).containsOnly(node.name());
    }

    @Test
    void sendsRequestsAboutANameToTheLeaderAnAnswerNamed() throws IOException {
        FakeNode first = cluster.startNode();
        FakeNode leader = cluster.startNode();
        cluster.lockLeader(URI.create(leader.uri() + "/"));
        SinkronClient client = client(first.uri(), leader.uri());

        try (Session session = client.openSession(LONG_TTL)) {
            long token =
                    client.lock(session, "jobs/a", LockMode.EXCLUSIVE, Duration.ZERO); // first answers, names leader
            client.unlock(session, "jobs/a", token);
            assertThat(client.describe("jobs/a")).isEmpty();
            assertThat(client.tryLock(session, "jobs/b", LockMode.EXCLUSIVE)).isPresent(); // b: nothing learnt yet
        }

        assertThat(lockRequests())
                .extracting(r -> r.node() + " " + r.method() + " " + r.path())
                .containsExactly(
                        first.name() + " POST /v1/locks/jobs/a/acquire",
                        leader.name() + " POST /v1/locks/jobs/a/release",
                        leader.name() + " GET /v1/locks/jobs/a",
                        first.name() + " POST /v1/locks/jobs/b/acquire");
    }

    @Test
    void forgetsANamedLeaderThatFailsAndGoesBackToItsEndpoints() throws IOException {
        FakeNode first = cluster.startNode();
        FakeNode leader = cluster.startNode();
        cluster.lockLeader(leader.uri());
        SinkronClient client = client(first.uri(), leader.uri());
        Session session = client.openSession(LONG_TTL);
        long token = client.lock(session, "jobs/a", LockMode.EXCLUSIVE, Duration.ZERO);
        cluster.lockLeader(null);
        leader.stop();

        client.unlock(session, "jobs/a", token); // the leader refuses the connection: first takes it
        assertThat(client.describe("jobs/a")).isEmpty();

        assertThat(lockRequests())
                .extracting(r -> r.node() + " " + r.method() + " " + r.path())
                .containsExactly(
                        first.name() + " POST /v1/locks/jobs/a/acquire",
                        first.name() + " POST /v1/locks/jobs/a/release",
                        first.name() + " GET /v1/locks/jobs/a");
    }

    @Test
    void ignoresANamedLeaderThatIsNotOneOfItsEndpoints() throws IOException {
        FakeNode first = cluster.startNode();
        FakeNode other = cluster.startNode();
        cluster.lockLeader(other.uri()); // a node the client was not given
        SinkronClient client = client(first.uri());

        try (Session session = client.openSession(LONG_TTL)) {
            long token = client.lock(session, "jobs/a", LockMode.EXCLUSIVE, Duration.ZERO);
            client.unlock(session, "jobs/a", token);
        }

        assertThat(cluster.requests()).extracting(FakeCluster.Recorded::node).containsOnly(first.name());
    }

    @Test
    void retriesARetryable503OnTheNextEndpointWithTheSameIdentity() throws IOException {
        FakeNode first = cluster.startNode();
        FakeNode second = cluster.startNode();
        SinkronClient client = client(first.uri(), second.uri());
        Session session = client.openSession(LONG_TTL); // on first; second is current only after a failure
        first.thenFail(new FakeNode.Refuse(503, "no-leader", true, Map.of()));

        long token = client.lock(session, "a", LockMode.EXCLUSIVE, Duration.ZERO);

        List<FakeCluster.Recorded> acquires = acquires();
        assertThat(acquires).extracting(FakeCluster.Recorded::node).containsExactly(first.name(), second.name());
        assertThat(acquires.get(1).clientId()).isEqualTo(acquires.get(0).clientId());
        assertThat(acquires.get(1).sequence()).isEqualTo(acquires.get(0).sequence());
        assertThat(client.describe("a").orElseThrow().holders())
                .singleElement()
                .satisfies(holder -> assertThat(holder.token()).isEqualTo(token));
    }

    @Test
    void doesNotRetryA503ThatSaysItIsNotRetryable() throws IOException {
        FakeNode first = cluster.startNode();
        FakeNode second = cluster.startNode();
        SinkronClient client = client(first.uri(), second.uri());
        Session session = client.openSession(LONG_TTL);
        first.thenFail(new FakeNode.Refuse(503, "unavailable", false, Map.of()));

        assertThatThrownBy(() -> client.lock(session, "a", LockMode.EXCLUSIVE, Duration.ZERO))
                .isInstanceOfSatisfying(SinkronException.class, e -> {
                    assertThat(e.slug()).isEqualTo("unavailable");
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryable()).isFalse();
                });
        assertThat(acquires()).hasSize(1);
    }

    @Test
    void aRetryAfterALostAnswerIsAppliedOnceAndGetsTheFirstAnswer() throws IOException {
        FakeNode node = cluster.startNode();
        SinkronClient client = client(node.uri());
        Session session = client.openSession(LONG_TTL);
        long token = client.lock(session, "a", LockMode.EXCLUSIVE, Duration.ZERO);
        node.thenFail(new FakeNode.LoseAnswer());

        // Applied twice, the release would answer not-holder the second time; applied once, the retry gets the
        // remembered 200.
        client.unlock(session, "a", token);

        List<FakeCluster.Recorded> releases = cluster.requests().stream()
                .filter(r -> r.path().endsWith("/release"))
                .toList();
        assertThat(releases).hasSize(2);
        assertThat(releases.get(1).clientId()).isEqualTo(releases.get(0).clientId());
        assertThat(releases.get(1).sequence()).isEqualTo(releases.get(0).sequence());
        assertThat(client.describe("a")).isEmpty();
    }

    @Test
    void cutsOffAnAnswerThatNeverEndsAndRetriesElsewhere() throws IOException {
        FakeNode trickling = cluster.startNode();
        FakeNode healthy = cluster.startNode();
        SinkronClient client = SinkronClient.builder()
                .locksOverSocket(false) // the fake nodes speak HTTP only
                .endpoints(List.of(trickling.uri(), healthy.uri()))
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .requestTimeout(Duration.ofMillis(500))
                .build();
        clients.add(client);
        trickling.thenFail(new FakeNode.Trickle(50));

        // Each wait for a byte is 50 ms, far below the 500 ms timeout: only a bound on the whole exchange ends the
        // attempt (without it the call hangs until the test's 30 s timeout). The retry reaches the other node with the
        // same identity, so the session opened once.
        Session session = client.openSession(LONG_TTL);

        assertThat(session.id()).isNotBlank();
        List<FakeCluster.Recorded> opens = cluster.requests().stream()
                .filter(r -> r.path().equals("/v1/sessions"))
                .toList();
        assertThat(opens).extracting(FakeCluster.Recorded::node).containsExactly(trickling.name(), healthy.name());
        assertThat(opens.get(1).sequence()).isEqualTo(opens.get(0).sequence());
    }

    @Test
    void givesUpAfterTheBoundedNumberOfAttempts() throws IOException {
        SinkronClient client = SinkronClient.builder()
                .locksOverSocket(false) // the fake nodes speak HTTP only
                .endpoints(List.of(closedPort(), closedPort()))
                .attemptsMax(4)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .requestTimeout(Duration.ofSeconds(2))
                .build();
        clients.add(client);

        assertThatThrownBy(() -> client.openSession(LONG_TTL))
                .isInstanceOfSatisfying(SinkronUnavailableException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(4);
                    assertThat(e.slug()).isEqualTo("unavailable");
                    assertThat(e.retryable()).isTrue();
                });
    }

    @Test
    void mapsProblemsToTypedExceptions() throws IOException {
        FakeNode node = cluster.startNode();
        SinkronClient client = client(node.uri());
        Session alice = client.openSession(LONG_TTL);
        Session bob = client.openSession(LONG_TTL);
        long token = client.lock(alice, "a", LockMode.EXCLUSIVE, Duration.ZERO);

        assertThatThrownBy(() -> client.lock(bob, "a", LockMode.EXCLUSIVE, Duration.ofMillis(10)))
                .isInstanceOf(LockTimeoutException.class);
        assertThatThrownBy(() -> client.unlock(bob, "a", token))
                .isInstanceOfSatisfying(
                        NotHolderException.class, e -> assertThat(e.slug()).isEqualTo("not-holder"));
        assertThatThrownBy(() -> client.unlock(alice, "a", token + 1))
                .isInstanceOfSatisfying(
                        NotHolderException.class, e -> assertThat(e.slug()).isEqualTo("wrong-token"));

        node.thenFail(new FakeNode.Refuse(
                409,
                "deadlock",
                false,
                Map.of(
                        "cycle",
                        List.of(Map.of("sessionId", "11", "lock", "a"), Map.of("sessionId", "12", "lock", "b")))));
        assertThatThrownBy(() -> client.lock(bob, "b", LockMode.EXCLUSIVE, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(DeadlockException.class, e -> assertThat(e.cycle())
                        .containsExactly(
                                new DeadlockException.CycleStep("11", "a"),
                                new DeadlockException.CycleStep("12", "b")));

        node.thenFail(new FakeNode.Refuse(400, "invalid-request", false, Map.of()));
        assertThatThrownBy(() -> client.tryLock(bob, "c", LockMode.SHARED))
                .isExactlyInstanceOf(SinkronException.class)
                .satisfies(e -> assertThat(((SinkronException) e).slug()).isEqualTo("invalid-request"))
                .satisfies(e -> assertThat(((SinkronException) e).status()).isEqualTo(400));

        cluster.expire(bob.id());
        assertThatThrownBy(() -> client.tryLock(bob, "c", LockMode.SHARED)).isInstanceOf(SessionExpiredException.class);
        assertThat(bob.lostReason()).containsInstanceOf(LostReason.Expired.class);
    }

    @Test
    void keepsTheSessionAlive() throws Exception {
        SinkronClient client = client(cluster.startNode().uri());
        CountDownLatch keepAlives = new CountDownLatch(3);
        cluster.onRequest(r -> {
            if (r.path().endsWith("/keepalive")) {
                keepAlives.countDown();
            }
        });

        try (Session session = client.openSession(SHORT_TTL)) {
            assertThat(keepAlives.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(session.isLost()).isFalse();
        }
        assertThat(cluster.requests()).extracting(FakeCluster.Recorded::method).endsWith("DELETE");
    }

    @Test
    void isLostWhenAKeepAliveFindsTheSessionGone() throws Exception {
        SinkronClient client = client(cluster.startNode().uri());
        Session session = client.openSession(SHORT_TTL);
        CompletableFuture<LostReason> lost = new CompletableFuture<>();
        session.onLost(lost::complete);

        cluster.expire(session.id());

        assertThat(lost.get(10, TimeUnit.SECONDS)).isInstanceOf(LostReason.Expired.class);
        assertThat(session.isLost()).isTrue();
        session.close(); // nothing left to delete: no request, no exception
    }

    @Test
    void isLostWhenKeepAlivesFailForAWholeTtl() throws Exception {
        FakeNode node = cluster.startNode();
        SinkronClient client = client(node.uri());
        Session session = client.openSession(SHORT_TTL);
        CompletableFuture<LostReason> lost = new CompletableFuture<>();
        session.onLost(lost::complete);

        node.stop();

        assertThat(lost.get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(LostReason.KeepAliveFailing.class, r -> assertThat(r.lastFailure())
                        .isInstanceOf(SinkronUnavailableException.class));
    }

    @Test
    void concurrentCallsUseSeparateLanesSoNoSequenceIsStale() throws Exception {
        SinkronClient client = client(cluster.startNode().uri());
        Session session = client.openSession(LONG_TTL);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String name = "lane-test/" + t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        OptionalLong token = client.tryLock(session, name, LockMode.EXCLUSIVE);
                        client.unlock(session, name, token.orElseThrow());
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(20, TimeUnit.SECONDS); // a stale-sequence refusal would surface here
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(cluster.requests())
                .extracting(FakeCluster.Recorded::clientId)
                .allSatisfy(
                        id -> assertThat(id).satisfiesAnyOf(x -> assertThat(x).isNull(), x -> assertThat(x)
                                .startsWith(client.clientId())));
    }

    @Test
    void closingTheClientLosesItsOpenSessions() throws IOException {
        SinkronClient client = client(cluster.startNode().uri());
        Session session = client.openSession(LONG_TTL);

        client.close();

        assertThat(session.lostReason()).containsInstanceOf(LostReason.ClientClosed.class);
        assertThatThrownBy(() -> client.openSession(LONG_TTL)).isInstanceOf(IllegalStateException.class);
    }

    private List<FakeCluster.Recorded> lockRequests() {
        return cluster.requests().stream()
                .filter(r -> r.path().startsWith("/v1/locks/"))
                .toList();
    }

    private List<FakeCluster.Recorded> acquires() {
        return cluster.requests().stream()
                .filter(r -> r.path().endsWith("/acquire"))
                .toList();
    }

    private SinkronClient client(URI... endpoints) {
        SinkronClient client = SinkronClient.builder()
                .locksOverSocket(false) // the fake nodes speak HTTP only
                .endpoints(List.of(endpoints))
                .requestTimeout(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(1), Duration.ofMillis(10))
                .build();
        clients.add(client);
        return client;
    }

    /** An endpoint nobody listens on: a port the OS just handed out and took back. */
    private static URI closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }
}
