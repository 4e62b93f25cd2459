package io.sinkron.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Java client's lock calls over the lock socket, against fake nodes that speak it. */
class LockSocketsTest {

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final FakeSocketNode.Ledger ledger = new FakeSocketNode.Ledger();
    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void manyCallersShareOneSocketAndEachGetsItsOwnAnswer() throws Exception {
        FakeSocketNode node = node();
        node.delayAnswersUpTo(20); // answers come back in another order than the calls went out
        SinkronClient client = client(Duration.ofSeconds(5), node.uri());
        Session session = client.openSession(Duration.ofSeconds(60));
        int callers = 32;
        Map<String, Long> tokens = new ConcurrentHashMap<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String name = "locks/" + i;
                done.add(threads.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        long token = client.lock(session, name + "." + round, LockMode.EXCLUSIVE, Duration.ZERO);
                        tokens.put(name + "." + round, token);
                        client.unlock(session, name + "." + round, token);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(node.sockets).hasValue(1);
        assertThat(tokens).hasSize(callers * 5);
        // Every caller got the token the node granted for its own name, not one meant for another call.
        for (JsonNode call : node.calls) {
            if (call.path("op").asText().equals("release")) {
                assertThat(call.path("token").asLong())
                        .as(call.toString())
                        .isEqualTo(tokens.get(call.path("name").asText()));
            }
        }
        assertThat(ledger.applied).hasValue(callers * 5);
    }

    @Test
    void answersTheNodeWritesTogetherInOneFrameEachReachTheirOwnCaller() throws Exception {
        FakeSocketNode node = node();
        int callers = 8;
        node.answerInGroupsOf(callers); // no answer until every caller has a call out; then all in one array
        SinkronClient client = client(Duration.ofSeconds(5), node.uri());
        Session session = client.openSession(Duration.ofSeconds(60));
        Map<String, Long> tokens = new ConcurrentHashMap<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String name = "grouped/" + i;
                done.add(threads.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        long token = client.lock(session, name, LockMode.EXCLUSIVE, Duration.ZERO);
                        assertThat(tokens.put(name + "." + round, token)).isNull();
                        client.unlock(session, name, token);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(node.batchingSockets)
                .as("the client asks for batched frames")
                .hasValue(1);
        assertThat(ledger.applied).hasValue(callers * 3);
        assertThat(new java.util.HashSet<>(tokens.values())).hasSize(callers * 3);
        // Each release carried the token its own caller was granted: answers in one frame were not mixed up.
        for (JsonNode call : node.calls) {
            if (call.path("op").asText().equals("release")) {
                String name = call.path("name").asText();
                assertThat(tokens.entrySet().stream()
                                .filter(e -> e.getKey().startsWith(name + "."))
                                .map(Map.Entry::getValue))
                        .contains(call.path("token").asLong());
            }
        }
    }

    @Test
    void aSocketThatClosesMidCallIsRetriedElsewhereUnderTheSameKeyAndAppliedOnce() throws Exception {
        FakeSocketNode first = node();
        FakeSocketNode second = node();
        first.fail(FakeSocketNode.Fault.CLOSE_AFTER_APPLY);
        SinkronClient client = client(Duration.ofSeconds(5), first.uri(), second.uri());
        Session session = client.openSession(Duration.ofSeconds(60));

        long token = client.lock(session, "orders/1", LockMode.EXCLUSIVE, Duration.ofSeconds(1));

        JsonNode lost = first.calls.getFirst();
        JsonNode retried = second.calls.getFirst();
        assertThat(retried.path("clientId").asText())
                .isEqualTo(lost.path("clientId").asText());
        assertThat(retried.path("sequence").asText())
                .isEqualTo(lost.path("sequence").asText());
        assertThat(ledger.applied).hasValue(1);
        assertThat(token).isEqualTo(ledger.tokensByKey.values().iterator().next());
    }

    @Test
    void aCallWithoutAnAnswerAbortsItsSocketAndIsRetriedElsewhere() throws Exception {
        FakeSocketNode silent = node();
        FakeSocketNode healthy = node();
        silent.fail(FakeSocketNode.Fault.SILENCE);
        SinkronClient client = client(Duration.ofMillis(300), silent.uri(), healthy.uri());
        Session session = client.openSession(Duration.ofSeconds(60));

        long token = client.lock(session, "orders/2", LockMode.EXCLUSIVE, Duration.ZERO);

        assertThat(healthy.calls).hasSize(1);
        assertThat(ledger.applied).hasValue(1);
        assertThat(token).isEqualTo(ledger.tokensByKey.values().iterator().next());
        // The silent socket was given up, not left half open for the next call.
        silent.aSocketClosed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void problemsOnTheSocketBecomeTypedExceptions() throws Exception {
        FakeSocketNode node = node();
        SinkronClient client = client(Duration.ofSeconds(5), node.uri());
        Session session = client.openSession(Duration.ofSeconds(60));

        node.refuse("lock-timeout", 409);
        assertThat(client.tryLock(session, "orders/3", LockMode.EXCLUSIVE)).isEmpty();
        node.refuse("not-holder", 409);
        assertThatThrownBy(() -> client.unlock(session, "orders/3", 5)).isInstanceOf(NotHolderException.class);
        assertThat(ledger.applied).hasValue(0);
        // The socket survives answered problems: both calls went over the one connection.
        assertThat(node.sockets).hasValue(1);
    }

    private FakeSocketNode node() throws Exception {
        FakeSocketNode node = new FakeSocketNode(vertx, ledger);
        closing.add(node);
        return node;
    }

    private SinkronClient client(Duration requestTimeout, URI... endpoints) {
        SinkronClient client = SinkronClient.builder()
                .endpoints(List.of(endpoints))
                .requestTimeout(requestTimeout)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(10))
                .build();
        closing.add(client);
        return client;
    }
}
