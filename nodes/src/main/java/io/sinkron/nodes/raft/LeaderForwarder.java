package io.sinkron.nodes.raft;

import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.Peer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;

/**
 * Sends a client request on to the node that leads its shard, inside the cluster (DESIGN.md §2: clients never see
 * not-leader). Non-blocking (Vert.x web client); the leader's answer is passed back as it is. The request carries
 * {@value #HOPS_HEADER} so a request chasing a moving leader stops after {@link #HOPS_MAX} hops.
 */
@Singleton
public class LeaderForwarder {

    /** Header counting how many times a request was forwarded. */
    public static final String HOPS_HEADER = "Sinkron-Forwarded-Hops";

    /** Forwards one request may take before the node answers no-leader itself. */
    public static final int HOPS_MAX = 2;

    /** Connections kept per leader node. */
    static final int POOL_SIZE_MAX = 32;

    /** How long the leader may take to answer (its own request timeout, plus margin). */
    static final Duration FORWARD_TIMEOUT = RaftHost.REQUEST_TIMEOUT.plusSeconds(2);

    private final NodeSettings settings;
    private final WebClient client;

    LeaderForwarder(NodeSettings settings, Vertx vertx) {
        this.settings = settings;
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setKeepAlive(true)
                        .setMaxPoolSize(POOL_SIZE_MAX)
                        .setConnectTimeout(1_000)
                        .setUserAgent("sinkron-forwarder/" + settings.selfId()));
    }

    /** The base URL of a member, or null for an id that is not one. */
    public String urlOf(String nodeId) {
        for (Peer peer : settings.peers()) {
            if (peer.id().equals(nodeId)) {
                return peer.url().toString();
            }
        }
        return null;
    }

    /** The answer of the leader: status, content type (or null) and body. */
    public record Forwarded(int status, String contentType, byte[] body) {}

    /** Forwards one request to {@code leader}; fails when the leader cannot be reached. */
    public Uni<Forwarded> forward(
            String leader, HttpMethod method, String rawPath, Map<String, String> headers, byte[] body, int hops) {
        Peer peer = settings.peers().stream()
                .filter(p -> p.id().equals(leader))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown leader " + leader));
        HttpRequest<Buffer> request = client.requestAbs(method, peer.endpoint(rawPath))
                .timeout(FORWARD_TIMEOUT.toMillis())
                .putHeader(HOPS_HEADER, Integer.toString(hops + 1));
        headers.forEach(request::putHeader);
        Uni<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendBuffer(Buffer.buffer(body));
        return sent.map(response -> new Forwarded(
                response.statusCode(),
                response.getHeader("Content-Type"),
                response.body() == null ? new byte[0] : response.body().getBytes()));
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
