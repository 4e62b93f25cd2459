package io.sinkron.api.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link FakeCluster}: an HTTP server on 127.0.0.1 with an ephemeral port that records each request and
 * then either plays the next scripted {@link Fault} or serves the request from the cluster's state.
 */
final class FakeNode {

    /** What a node does to the next request instead of (or besides) serving it. */
    sealed interface Fault {}

    /** Answer a problem without applying the request, e.g. a 503 {@code no-leader}. */
    record Refuse(int status, String slug, boolean retryable, Map<String, Object> extensions) implements Fault {}

    /** Apply the request, then drop the connection instead of answering: the answer is lost. */
    record LoseAnswer() implements Fault {}

    /**
     * Apply the request, send the headers, then one body byte every {@code everyMillis} for as long as the client
     * stays (at most a minute): each wait for bytes is short, but the answer never ends.
     */
    record Trickle(long everyMillis) implements Fault {}

    private final FakeCluster cluster;
    private final String name;
    private final HttpServer server;
    private final ExecutorService threads;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();

    FakeNode(FakeCluster cluster, String name) throws IOException {
        this.cluster = cluster;
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.threads = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "fake-" + name);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    String name() {
        return name;
    }

    /** Scripts the next request's fate; faults are used one per request, in order. */
    FakeNode thenFail(Fault fault) {
        faults.add(fault);
        return this;
    }

    void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String clientId = exchange.getRequestHeaders().getFirst("Sinkron-Client-Id");
            String sequence = exchange.getRequestHeaders().getFirst("Sinkron-Sequence");
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            cluster.record(new FakeCluster.Recorded(name, method, path, clientId, sequence));
            URI leader = cluster.lockLeader();
            if (leader != null && path.startsWith("/v1/locks/")) {
                exchange.getResponseHeaders().set("Sinkron-Shard-Leader", leader.toString());
            }
            Fault fault = faults.poll();
            if (fault instanceof Refuse refuse) {
                send(
                        exchange,
                        cluster.problem(
                                refuse.status(), refuse.slug(), "scripted", refuse.retryable(), refuse.extensions()));
                return;
            }
            FakeCluster.Answer answer = cluster.serve(method, path, clientId, sequence, body);
            if (fault instanceof Trickle trickle) {
                exchange.sendResponseHeaders(answer.status(), 1 << 20);
                trickle(exchange.getResponseBody(), trickle.everyMillis());
                return;
            }
            if (fault instanceof LoseAnswer) {
                // Promise a body, send none, close: the client sees the connection end before an answer.
                exchange.sendResponseHeaders(answer.status(), 1 << 20);
                return;
            }
            send(exchange, answer);
        }
    }

    /** Writes one byte per tick until the client goes away or a minute passed; returns when done. */
    private static void trickle(OutputStream out, long everyMillis) {
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        CompletableFuture<Void> done = new CompletableFuture<>();
        long endNanos = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        ticks.scheduleAtFixedRate(
                () -> {
                    try {
                        out.write('x');
                        out.flush();
                        if (System.nanoTime() > endNanos) {
                            done.complete(null);
                        }
                    } catch (IOException e) {
                        done.complete(null); // the client hung up
                    }
                },
                0,
                everyMillis,
                TimeUnit.MILLISECONDS);
        try {
            done.get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        } finally {
            ticks.shutdownNow();
        }
    }

    private static void send(HttpExchange exchange, FakeCluster.Answer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        if (answer.status() == 204) {
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        exchange.sendResponseHeaders(answer.status(), answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }
}
