package io.sinkron.nodes.raft;

import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.Peer;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Proposes a command to a shard from any node: here when this node leads the shard, else on the leader through the
 * internal endpoint ({@link InternalShardResource}), retried with a short back-off while no leader is known. Lets one
 * request touch several shards (a lock session lives on every shard) without forwarding the whole HTTP request.
 * Never blocks.
 *
 * <p>It sends a command again only when that cannot apply it twice: when no leader is known, when the leader refused
 * it without proposing (421, 503), or when no connection to the leader could be made. A timeout or a broken
 * connection after sending fails with {@link Unrouted#retrySafe()} false.
 */
@Singleton
public class ShardRouter {

    /** Internal path prefix; not part of the public API. */
    public static final String INTERNAL_PATH = "/internal/v1/shards/";

    /** Attempts while no leader is known or the leader is unreachable: with the back-off, about 6 s. */
    static final int ATTEMPTS_MAX = 60;

    static final Duration RETRY_DELAY_MIN = Duration.ofMillis(20);
    static final Duration RETRY_DELAY_MAX = Duration.ofMillis(100);
    static final Duration FORWARD_TIMEOUT = RaftHost.REQUEST_TIMEOUT.plusSeconds(2);

    private final RaftHost raft;
    private final NodeSettings settings;
    private final WebClient client;

    ShardRouter(RaftHost raft, NodeSettings settings, Vertx vertx) {
        this.raft = raft;
        this.settings = settings;
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setKeepAlive(true)
                        .setMaxPoolSize(LeaderForwarder.POOL_SIZE_MAX)
                        .setConnectTimeout(1_000)
                        .setUserAgent("sinkron-router/" + settings.selfId()));
    }

    /** Why a routed proposal gave up. */
    public static final class Unrouted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean retrySafe;

        Unrouted(String message, boolean retrySafe) {
            super(message, null, false, false);
            this.retrySafe = retrySafe;
        }

        /** Whether sending the same command again cannot apply it twice. */
        public boolean retrySafe() {
            return retrySafe;
        }
    }

    private static final class Again extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Again(String why) {
            super(why, null, false, false);
        }
    }

    /** The state machine's reply once {@code command} applied on the shard's leader; fails with {@link Unrouted}. */
    public Uni<byte[]> propose(int shard, byte[] command) {
        return Uni.createFrom()
                .completionStage(() -> raft.propose(shard, command))
                .flatMap(reply -> switch (reply) {
                    case RaftReply.Done done -> Uni.createFrom().item(done.result());
                    case RaftReply.NotLeader notLeader -> forward(notLeader.leader(), shard, command);
                    case RaftReply.Unavailable unavailable ->
                        unavailable.retrySafe()
                                ? Uni.createFrom().<byte[]>failure(new Again(unavailable.reason()))
                                : Uni.createFrom().<byte[]>failure(new Unrouted(unavailable.reason(), false));
                })
                .onFailure(Again.class)
                .retry()
                .withBackOff(RETRY_DELAY_MIN, RETRY_DELAY_MAX)
                .atMost(ATTEMPTS_MAX)
                .onFailure(Again.class)
                .transform(e -> new Unrouted("no leader for shard " + shard + ": " + e.getMessage(), true));
    }

    private Uni<byte[]> forward(String leader, int shard, byte[] command) {
        if (leader == null || leader.equals(settings.selfId())) {
            return Uni.createFrom().failure(new Again("no leader known yet"));
        }
        Peer peer = settings.peers().stream()
                .filter(p -> p.id().equals(leader))
                .findFirst()
                .orElse(null);
        if (peer == null) {
            return Uni.createFrom().failure(new Again("unknown leader " + leader));
        }
        return client.postAbs(peer.endpoint(INTERNAL_PATH + shard + "/propose"))
                .timeout(FORWARD_TIMEOUT.toMillis())
                .putHeader("Content-Type", "application/octet-stream")
                .sendBuffer(Buffer.buffer(command))
                .onFailure()
                .transform(e -> notSent(e)
                        ? new Again("leader " + leader + " unreachable: " + e.getMessage())
                        : new Unrouted(
                                "no answer from leader " + leader + " (the command may have applied): "
                                        + e.getMessage(),
                                false))
                .flatMap(response -> switch (response.statusCode()) {
                    case 200 ->
                        Uni.createFrom()
                                .item(
                                        response.body() == null
                                                ? new byte[0]
                                                : response.body().getBytes());
                    case 421, 503 ->
                        Uni.createFrom().failure(new Again("leader " + leader + " answered " + response.statusCode()));
                    case 504 ->
                        Uni.createFrom()
                                .failure(new Unrouted(
                                        "leader " + leader + " timed out; the command may still apply", false));
                    default ->
                        Uni.createFrom()
                                .failure(new Unrouted(
                                        "leader " + leader + " answered " + response.statusCode() + ": "
                                                + response.bodyAsString(),
                                        false));
                });
    }

    /** Whether the request surely never reached the leader (no connection), so sending it again is safe. */
    private static boolean notSent(Throwable failure) {
        return failure instanceof java.net.ConnectException
                || failure instanceof io.netty.channel.ConnectTimeoutException;
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
