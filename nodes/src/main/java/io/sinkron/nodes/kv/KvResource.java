package io.sinkron.nodes.kv;

import io.sinkron.api.Headers;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.raft.LeaderForwarder;
import io.sinkron.nodes.raft.RaftHost;
import io.sinkron.nodes.raft.RaftReply;
import io.sinkron.nodes.raft.ShardServices;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /v1/kv/{key}}: the replicated key-value register. Any node answers: a node that does not lead the key's
 * shard forwards to the leader; while a leader is being elected the request is retried (bounded, with back-off) and
 * finally answered 503 {@code no-leader}, retry-safe. Handlers run on the event loop and never block: they return a
 * {@link Uni} the Raft driver completes.
 */
@Path("/v1/kv")
@Tag(name = "kv", description = "A replicated key-value register (tests and fault drills)")
public class KvResource {

    /** Header naming the client for at-most-once PUTs (Raft dissertation §6.3). */
    public static final String CLIENT_ID_HEADER = Headers.CLIENT_ID;

    /** Header with the client's request sequence number, growing per client. */
    public static final String SEQUENCE_HEADER = Headers.SEQUENCE;

    /**
     * Attempts while no leader is known; with the back-off below they span about 6 s, many election timeouts. The
     * delay stays short (≤ 100 ms) because a new leader is usually ready 250-450 ms after the old one died, and every
     * millisecond waited past that is failover time the client sees.
     */
    static final int NO_LEADER_RETRIES_MAX = 60;

    static final Duration RETRY_DELAY_MIN = Duration.ofMillis(20);
    static final Duration RETRY_DELAY_MAX = Duration.ofMillis(100);

    private final RaftHost raft;
    private final LeaderForwarder forwarder;
    private final String self;

    KvResource(RaftHost raft, LeaderForwarder forwarder, NodeSettings settings) {
        this.raft = raft;
        this.forwarder = forwarder;
        this.self = settings.selfId();
    }

    /** No leader yet (or it just changed): worth another attempt. */
    private static final class NoLeaderYet extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoLeaderYet(String why) {
            super(why, null, false, false);
        }
    }

    @PUT
    @Path("{key: .+}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Writes a value; 204 once applied on the shard's leader")
    public Uni<Response> put(
            @PathParam("key") String key,
            byte[] body,
            @HeaderParam(CLIENT_ID_HEADER) String clientId,
            @HeaderParam(SEQUENCE_HEADER) String sequence,
            @HeaderParam(LeaderForwarder.HOPS_HEADER) Integer hops,
            @Context UriInfo uri) {
        String path = uri.getRequestUri().getRawPath();
        byte[] value = body == null ? new byte[0] : body;
        if (!KvCommand.KEY.matcher(key).matches()) {
            return Uni.createFrom().item(KvProblems.invalid("key must be 1-256 of [A-Za-z0-9._:/-]", path));
        }
        if (value.length > KvCommand.VALUE_BYTES_MAX) {
            return Uni.createFrom().item(KvProblems.tooLarge(value.length, path));
        }
        String client = clientId == null ? "" : clientId.strip();
        long seq;
        try {
            seq = sequence == null ? 0 : Long.parseLong(sequence.strip());
        } catch (NumberFormatException e) {
            return Uni.createFrom().item(KvProblems.invalid(SEQUENCE_HEADER + " must be a number", path));
        }
        if (!KvCommand.CLIENT_ID.matcher(client).matches() || seq < 0 || (!client.isEmpty() && sequence == null)) {
            return Uni.createFrom()
                    .item(KvProblems.invalid(
                            CLIENT_ID_HEADER + " must be 0-128 of [A-Za-z0-9._:-] and come with a" + " non-negative "
                                    + SEQUENCE_HEADER,
                            path));
        }
        byte[] command = ShardServices.command(ShardServices.KV, new KvCommand(client, seq, key, value).encode());
        int shard = raft.shardOf(key);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", MediaType.APPLICATION_OCTET_STREAM);
        if (!client.isEmpty()) {
            headers.put(CLIENT_ID_HEADER, client);
            headers.put(SEQUENCE_HEADER, Long.toString(seq));
        }
        boolean idempotent = !client.isEmpty();
        return withLeader(
                () -> raft.propose(shard, command),
                done -> putAnswer(done, path),
                HttpMethod.PUT,
                path,
                headers,
                value,
                hops == null ? 0 : hops,
                idempotent);
    }

    @GET
    @Path("{key: .+}")
    @Operation(
            summary = "Reads a value; 404 when absent",
            description = "consistency=linearizable (default): through the shard's leader with ReadIndex."
                    + " consistency=local: this node's own replica as applied so far, no leader involved (may be"
                    + " stale; used to check that replicas converged).")
    public Uni<Response> get(
            @PathParam("key") String key,
            @QueryParam("consistency") String consistency,
            @HeaderParam(LeaderForwarder.HOPS_HEADER) Integer hops,
            @Context UriInfo uri) {
        String path = uri.getRequestUri().getRawPath();
        if (!KvCommand.KEY.matcher(key).matches()) {
            return Uni.createFrom().item(KvProblems.invalid("key must be 1-256 of [A-Za-z0-9._:/-]", path));
        }
        int shard = raft.shardOf(key);
        if ("local".equals(consistency)) {
            return Uni.createFrom()
                    .completionStage(() -> raft.readLocal(
                            shard, sm -> KvResource.register(sm).get(key).orElse(null)))
                    .map(reply -> switch (reply) {
                        case RaftReply.Done done -> valueAnswer(done, key, path);
                        case RaftReply.NotLeader notLeader ->
                            KvProblems.unavailable("this node holds no replica of shard " + shard, true, path);
                        case RaftReply.Unavailable unavailable ->
                            KvProblems.unavailable(unavailable.reason(), true, path);
                    });
        }
        if (consistency != null && !"linearizable".equals(consistency)) {
            return Uni.createFrom().item(KvProblems.invalid("consistency must be linearizable or local", path));
        }
        return withLeader(
                () -> raft.read(
                        shard,
                        (StateMachine sm) -> KvResource.register(sm).get(key).orElse(null)),
                done -> valueAnswer(done, key, path),
                HttpMethod.GET,
                path,
                Map.of(),
                null,
                hops == null ? 0 : hops,
                true);
    }

    private static KvStateMachine register(StateMachine shard) {
        return (KvStateMachine) ((ShardServices) shard).service(ShardServices.KV);
    }

    private static Response valueAnswer(RaftReply.Done done, String key, String path) {
        return done.result() == null
                ? KvProblems.notFound("no value for key " + key, path)
                : Response.ok(done.result(), MediaType.APPLICATION_OCTET_STREAM).build();
    }

    private static Response putAnswer(RaftReply.Done done, String path) {
        byte reply = done.result().length == 1 ? done.result()[0] : 0;
        return switch (reply) {
            case KvStateMachine.REPLY_OK, KvStateMachine.REPLY_STALE ->
                Response.noContent().build();
            case KvStateMachine.REPLY_FULL ->
                KvProblems.unavailable("the register holds " + KvStateMachine.KEYS_MAX + " keys", false, path);
            default -> throw new IllegalStateException("unknown KV reply " + reply);
        };
    }

    /**
     * Runs a request on the shard's leader: here if this node leads, else forwarded; retried while no leader is known.
     */
    private Uni<Response> withLeader(
            Supplier<java.util.concurrent.CompletionStage<RaftReply>> local,
            java.util.function.Function<RaftReply.Done, Response> answer,
            HttpMethod method,
            String path,
            Map<String, String> headers,
            byte[] body,
            int hops,
            boolean retrySafe) {
        return Uni.createFrom()
                .completionStage(local)
                .flatMap(reply -> switch (reply) {
                    case RaftReply.Done done -> Uni.createFrom().item(answer.apply(done));
                    case RaftReply.NotLeader notLeader -> {
                        String leader = notLeader.leader();
                        if (leader == null || leader.equals(self) || hops >= LeaderForwarder.HOPS_MAX) {
                            yield Uni.createFrom().<Response>failure(new NoLeaderYet("no leader known yet"));
                        }
                        yield forwarder
                                .forward(leader, method, path, headers, body, hops)
                                .map(KvResource::relay)
                                .onFailure()
                                .transform(
                                        e -> new NoLeaderYet("leader " + leader + " unreachable: " + e.getMessage()));
                    }
                    case RaftReply.Unavailable unavailable -> {
                        if (unavailable.retrySafe()) {
                            yield Uni.createFrom().<Response>failure(new NoLeaderYet(unavailable.reason()));
                        }
                        yield Uni.createFrom().item(KvProblems.unavailable(unavailable.reason(), retrySafe, path));
                    }
                })
                .onFailure(NoLeaderYet.class)
                .retry()
                .withBackOff(RETRY_DELAY_MIN, RETRY_DELAY_MAX)
                .atMost(NO_LEADER_RETRIES_MAX)
                .onFailure(NoLeaderYet.class)
                .recoverWithItem(e -> KvProblems.noLeader(
                        "no leader for this key's shard after " + NO_LEADER_RETRIES_MAX + " attempts: "
                                + e.getMessage(),
                        path));
    }

    private static Response relay(LeaderForwarder.Forwarded forwarded) {
        Response.ResponseBuilder builder = Response.status(forwarded.status());
        if (forwarded.body().length > 0) {
            builder.entity(forwarded.body());
        }
        if (forwarded.contentType() != null) {
            builder.type(forwarded.contentType());
        }
        return builder.build();
    }
}
