package io.sinkron.nodes.locks;

import io.sinkron.api.Headers;
import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import io.sinkron.nodes.lock.CycleStep;
import io.sinkron.nodes.lock.LockCommand;
import io.sinkron.nodes.lock.LockEvent;
import io.sinkron.nodes.lock.LockLimits;
import io.sinkron.nodes.lock.LockMode;
import io.sinkron.nodes.lock.LockReply;
import io.sinkron.nodes.lock.LockStateMachine;
import io.sinkron.nodes.lock.LockView;
import io.sinkron.nodes.raft.LeaderForwarder;
import io.sinkron.nodes.raft.RaftHost;
import io.sinkron.nodes.raft.RaftReply;
import io.sinkron.nodes.raft.ShardRouter;
import io.sinkron.nodes.raft.ShardServices;
import io.sinkron.nodes.raft.ShardStateMachines;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Sessions and locks (DESIGN.md §4, §7; semantics in docs/locks.md). A session lives on every shard under one id the
 * node draws, so a session's locks may sit on any shard; a lock lives on its name's shard. Every mutation is a
 * command with a client id and sequence (the caller's {@code Sinkron-Client-Id}/{@code Sinkron-Sequence}, or this
 * node's own), proposed through {@link ShardRouter} (here or on the shard's leader), so a retry applies once. A
 * waiting acquire is answered when the grant applies on this node (no polling). Never blocks the event loop.
 */
@Path("/v1")
@Tag(name = "locks", description = "Sessions and fair, fenced shared/exclusive locks")
public class LockResource {

    static final String CLIENT_ID_HEADER = Headers.CLIENT_ID;
    static final String SEQUENCE_HEADER = Headers.SEQUENCE;
    static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    static final long DEFAULT_TTL_MS = 10_000;

    /** How long past its wait the HTTP side waits for the state machine's own timeout before cancelling itself. */
    static final Duration WAIT_MARGIN = Duration.ofSeconds(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final RaftHost raft;
    private final ShardRouter router;
    private final LockEvents events;
    private final LeaderForwarder forwarder;

    LockResource(RaftHost raft, ShardRouter router, LockEvents events, LeaderForwarder forwarder) {
        this.forwarder = forwarder;
        this.raft = raft;
        this.router = router;
        this.events = events;
    }

    /** The caller's idempotency key, or a fresh one of this node. */
    private record Caller(String client, long sequence) {}

    private Caller caller(String client, String sequence) {
        if (client == null && sequence == null) {
            // No idempotency key: the command opts out of deduplication (a shared node key would make concurrent
            // requests refuse each other as stale), and the router retries it only when it surely was not sent.
            return new Caller("", 0);
        }
        if (client == null
                || sequence == null
                || !CLIENT_ID.matcher(client.strip()).matches()) {
            throw new BadRequest(
                    CLIENT_ID_HEADER + " (1-128 of [A-Za-z0-9._:-]) and " + SEQUENCE_HEADER + " come together");
        }
        try {
            long seq = Long.parseLong(sequence.strip());
            if (seq < 0) {
                throw new BadRequest(SEQUENCE_HEADER + " must not be negative");
            }
            return new Caller(client.strip(), seq);
        } catch (NumberFormatException e) {
            throw new BadRequest(SEQUENCE_HEADER + " must be a number");
        }
    }

    /** Bad input, answered 400 invalid-request before anything is proposed. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    // ---- sessions ----

    @POST
    @Path("sessions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Opens a session (on every shard); its locks are released when it expires")
    public Uni<Response> openSession(
            LockApi.SessionRequest body,
            @HeaderParam(CLIENT_ID_HEADER) String client,
            @HeaderParam(SEQUENCE_HEADER) String sequence) {
        String path = "/v1/sessions";
        return guarded(path, () -> {
            long ttl = body == null || body.ttlMs() == null ? DEFAULT_TTL_MS : body.ttlMs();
            if (ttl < LockLimits.TTL_MS_MIN || ttl > LockLimits.TTL_MS_MAX) {
                throw new BadRequest(
                        "ttlMs must be " + LockLimits.TTL_MS_MIN + ".." + LockLimits.TTL_MS_MAX + ", was " + ttl);
            }
            Caller who = caller(client, sequence);
            // Drawn from the idempotency key when the caller gave one, so a retry opens the same session.
            long session = client == null ? (RANDOM.nextLong() >>> 1) | 1 : stableId(who);
            long now = System.currentTimeMillis();
            return everyShard(shard -> new LockCommand.OpenSession(who.client(), who.sequence(), now, session, ttl))
                    .map(replies -> {
                        long deadline = Long.MAX_VALUE;
                        for (LockReply reply : replies) {
                            if (reply instanceof LockReply.SessionOpened opened) {
                                deadline = Math.min(deadline, opened.deadlineMs());
                            } else {
                                return errorAnswer(reply, path);
                            }
                        }
                        return Response.status(201)
                                .type(MediaType.APPLICATION_JSON)
                                .entity(new LockApi.SessionBody(Long.toString(session), ttl, deadline))
                                .build();
                    });
        });
    }

    @PUT
    @Path("sessions/{id}/keepalive")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Extends a session by its ttl; 404 once it expired")
    public Uni<Response> keepAlive(
            @PathParam("id") String id,
            @HeaderParam(CLIENT_ID_HEADER) String client,
            @HeaderParam(SEQUENCE_HEADER) String sequence) {
        String path = "/v1/sessions/" + id + "/keepalive";
        return guarded(path, () -> {
            long session = sessionId(id);
            Caller who = caller(client, sequence);
            long now = System.currentTimeMillis();
            return everyShard(shard -> new LockCommand.KeepAlive(who.client(), who.sequence(), now, session))
                    .map(replies -> {
                        long deadline = Long.MAX_VALUE;
                        long ttl = 0;
                        for (LockReply reply : replies) {
                            if (reply instanceof LockReply.SessionKept kept) {
                                deadline = Math.min(deadline, kept.deadlineMs());
                                ttl = kept.ttlMs();
                            } else {
                                return errorAnswer(reply, path);
                            }
                        }
                        return Response.ok(new LockApi.SessionBody(id, ttl, deadline), MediaType.APPLICATION_JSON)
                                .build();
                    });
        });
    }

    @DELETE
    @Path("sessions/{id}")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Closes a session and releases its locks")
    public Uni<Response> closeSession(
            @PathParam("id") String id,
            @HeaderParam(CLIENT_ID_HEADER) String client,
            @HeaderParam(SEQUENCE_HEADER) String sequence) {
        String path = "/v1/sessions/" + id;
        return guarded(path, () -> {
            long session = sessionId(id);
            Caller who = caller(client, sequence);
            long now = System.currentTimeMillis();
            return everyShard(shard -> new LockCommand.CloseSession(who.client(), who.sequence(), now, session))
                    .map(replies -> {
                        boolean closedSomewhere = replies.stream().anyMatch(r -> r instanceof LockReply.SessionClosed);
                        return closedSomewhere ? Response.noContent().build() : errorAnswer(replies.getFirst(), path);
                    });
        });
    }

    // ---- locks ----

    @POST
    @Path("locks/{name: .+}/acquire")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Acquires a lock; answered when granted, or 409 when the wait ends or would deadlock")
    public Uni<Response> acquire(
            @PathParam("name") String name,
            LockApi.AcquireRequest body,
            @HeaderParam(CLIENT_ID_HEADER) String client,
            @HeaderParam(SEQUENCE_HEADER) String sequence) {
        String path = acquirePath(name);
        return naming(name, guarded(path, () -> {
            Acquiring call = prepareAcquire(name, body, client, sequence);
            LockEvents.Waiter ended = events.expect(call.session(), name);
            return propose(call.shard(), call.command())
                    .flatMap(reply -> afterAcquire(call, reply, ended))
                    .onFailure()
                    .invoke(() -> events.forget(call.session(), name, ended));
        }));
    }

    /** An acquire whose input passed every check, ready to propose; shared by REST and the lock socket. */
    record Acquiring(String path, int shard, long session, long waitMs, LockCommand.Acquire command) {}

    static String acquirePath(String name) {
        return "/v1/locks/" + name + "/acquire";
    }

    /**
     * Checks an acquire's input and builds its command.
     *
     * @throws BadRequest (or {@link IllegalArgumentException}) for input answered 400 without proposing anything
     */
    Acquiring prepareAcquire(String name, LockApi.AcquireRequest body, String client, String sequence) {
        checkName(name);
        if (body == null) {
            throw new BadRequest("a body {sessionId, mode, waitMs} is required");
        }
        long session = sessionId(body.sessionId());
        LockMode mode = mode(body.mode());
        long waitMs = body.waitMs() == null ? 0 : body.waitMs();
        long delayMs = body.lockDelayMs() == null ? 0 : body.lockDelayMs();
        if (waitMs < 0 || waitMs > LockLimits.WAIT_MS_MAX) {
            throw new BadRequest("waitMs must be 0.." + LockLimits.WAIT_MS_MAX + ", was " + waitMs);
        }
        if (delayMs < 0 || delayMs > LockLimits.LOCK_DELAY_MS_MAX) {
            throw new BadRequest("lockDelayMs must be 0.." + LockLimits.LOCK_DELAY_MS_MAX + ", was " + delayMs);
        }
        Caller who = caller(client, sequence);
        int shard = raft.shardOf(name);
        if (!raft.view().shards().containsKey(shard)) {
            throw new BadRequest("this node holds no replica of the lock's shard; send the request to one of "
                    + raft.replicasOf(shard));
        }
        return new Acquiring(
                acquirePath(name),
                shard,
                session,
                waitMs,
                new LockCommand.Acquire(
                        who.client(),
                        who.sequence(),
                        System.currentTimeMillis(),
                        session,
                        name,
                        mode,
                        waitMs,
                        delayMs));
    }

    /** The answer to an applied acquire: at once, or once its wait ends ({@code ended}, expected before proposing). */
    Uni<Response> afterAcquire(Acquiring call, LockReply reply, LockEvents.Waiter ended) {
        String name = call.command().name();
        if (reply instanceof LockReply.Waiting waiting) {
            events.waitingSince(call.session(), name, ended, waiting.index());
            return awaitEnd(ended, name, call.session(), call.waitMs(), call.path());
        }
        events.forget(call.session(), name, ended);
        return Uni.createFrom().item(acquireAnswer(reply, name, call.session(), call.path()));
    }

    /** A release whose input passed every check, ready to propose. */
    record Releasing(String path, int shard, LockCommand.Release command) {}

    /**
     * Checks a release's input and builds its command.
     *
     * @throws BadRequest (or {@link IllegalArgumentException}) for input answered 400 without proposing anything
     */
    Releasing prepareRelease(String name, LockApi.ReleaseRequest body, String client, String sequence) {
        checkName(name);
        if (body == null || body.token() == null) {
            throw new BadRequest("a body {sessionId, token} is required");
        }
        if (body.token() < 1) {
            throw new BadRequest("token must be a fencing token a grant returned (1 or more), was " + body.token());
        }
        long session = sessionId(body.sessionId());
        Caller who = caller(client, sequence);
        return new Releasing(
                "/v1/locks/" + name + "/release",
                raft.shardOf(name),
                new LockCommand.Release(
                        who.client(), who.sequence(), System.currentTimeMillis(), session, name, body.token()));
    }

    static Response releaseAnswer(LockReply reply, String name, String path) {
        return reply instanceof LockReply.Released released
                ? Response.ok(new LockApi.Released(name, released.token()), MediaType.APPLICATION_JSON)
                        .build()
                : errorAnswer(reply, path);
    }

    /**
     * Proposes straight to this node's own Raft driver, without the routing, forwarding and retries of the REST path:
     * for callers that already reached the shard's leader (the Java client follows {@code shardLeader}). Completes on
     * the driver thread with the raw reply; on {@link RaftReply.NotLeader} or a retry-safe {@link
     * RaftReply.Unavailable} nothing was proposed, and the caller takes the routed path.
     */
    CompletionStage<RaftReply> proposeHere(int shard, LockCommand command) {
        return raft.propose(shard, ShardServices.command(ShardServices.LOCKS, command.encode()));
    }

    /** The URL of {@code shard}'s leader as this node last saw it, or null. */
    String leaderUrl(int shard) {
        try {
            return forwarder.urlOf(raft.view().leaderOf(shard));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Uni<Response> awaitEnd(LockEvents.Waiter ended, String name, long session, long waitMs, String path) {
        long limit = waitMs + WAIT_MARGIN.toMillis();
        return Uni.createFrom()
                .completionStage(ended.ended().copy().orTimeout(limit, TimeUnit.MILLISECONDS))
                .map(event -> switch (event) {
                    case LockEvent.Granted g -> grant(name, session, g.mode(), g.token());
                    case LockEvent.Timeout t ->
                        problem(ProblemType.LOCK_TIMEOUT, "not granted within " + waitMs + " ms", path);
                    case LockEvent.Deadlock d -> deadlock(d.cycle(), false, path);
                    case LockEvent.Expired e -> problem(ProblemType.SESSION_NOT_FOUND, "the session expired", path);
                    case LockEvent.Lost l ->
                        problem(ProblemType.SESSION_NOT_FOUND, "the session lost its hold while waiting", path);
                    case LockEvent.Cancelled c -> problem(ProblemType.LOCK_TIMEOUT, "the wait was cancelled", path);
                    default -> problem(ProblemType.LOCK_TIMEOUT, "the wait ended: " + event, path);
                })
                .onFailure()
                .recoverWithItem(e -> {
                    events.forget(session, name, ended);
                    return Response.status(503)
                            .type(Problem.MEDIA_TYPE)
                            .entity(Problem.of(
                                            ProblemType.UNAVAILABLE,
                                            "no answer within " + limit + " ms; the acquire may still be waiting:"
                                                    + " retry with the same " + SEQUENCE_HEADER,
                                            LockProblems.instance(path))
                                    .with("retryable", true))
                            .build();
                });
    }

    @POST
    @Path("locks/{name: .+}/release")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Releases a lock; the fencing token of the grant must be presented")
    public Uni<Response> release(
            @PathParam("name") String name,
            LockApi.ReleaseRequest body,
            @HeaderParam(CLIENT_ID_HEADER) String client,
            @HeaderParam(SEQUENCE_HEADER) String sequence) {
        String path = "/v1/locks/" + name + "/release";
        return naming(name, guarded(path, () -> {
            Releasing call = prepareRelease(name, body, client, sequence);
            return propose(call.shard(), call.command()).map(reply -> releaseAnswer(reply, name, call.path()));
        }));
    }

    @DELETE
    @Path("locks/{name: .+}/holders")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Admin: releases every holder of a lock (they are told: lost)")
    public Uni<Response> forceRelease(
            @PathParam("name") String name,
            @HeaderParam(CLIENT_ID_HEADER) String client,
            @HeaderParam(SEQUENCE_HEADER) String sequence) {
        String path = "/v1/locks/" + name + "/holders";
        return naming(name, guarded(path, () -> {
            checkName(name);
            Caller who = caller(client, sequence);
            LockCommand.ForceRelease force =
                    new LockCommand.ForceRelease(who.client(), who.sequence(), System.currentTimeMillis(), name);
            return propose(raft.shardOf(name), force)
                    .map(reply -> reply instanceof LockReply.ForceReleased done
                            ? Response.ok(new LockApi.ForceReleased(name, done.holders()), MediaType.APPLICATION_JSON)
                                    .build()
                            : errorAnswer(reply, path));
        }));
    }

    @GET
    @Path("locks/{name: .+}")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "A lock's holders and waiters, linearizable (ReadIndex on the shard's leader)")
    public Uni<Response> describe(
            @PathParam("name") String name, @HeaderParam(LeaderForwarder.HOPS_HEADER) Integer hops) {
        String path = "/v1/locks/" + name;
        return naming(name, guarded(path, () -> {
            checkName(name);
            int shard = raft.shardOf(name);
            return Uni.createFrom()
                    .completionStage(() -> raft.read(shard, machine -> {
                        LockView view =
                                ShardStateMachines.locks(machine).lock(name).orElse(null);
                        return view == null ? null : LockJson.encode(body(view));
                    }))
                    .map(reply -> switch (reply) {
                        case RaftReply.Done done ->
                            done.result() == null
                                    ? problem(ProblemType.NOT_FOUND, "no lock " + name + " is held or awaited", path)
                                    : Response.ok(done.result(), MediaType.APPLICATION_JSON)
                                            .build();
                        case RaftReply.NotLeader notLeader -> null;
                        case RaftReply.Unavailable unavailable ->
                            problem(ProblemType.UNAVAILABLE, unavailable.reason(), path);
                    })
                    .flatMap(answer -> answer != null ? Uni.createFrom().item(answer) : forwardRead(shard, path, hops));
        }));
    }

    @GET
    @Path("locks")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(
            summary = "Lists locks by name, with a prefix and a cursor",
            description = "Read from this node's replicas (may trail the leaders by a few entries).")
    public Uni<Response> list(
            @QueryParam("prefix") String prefix,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        String path = "/v1/locks";
        return guarded(path, () -> {
            String from = prefix == null ? "" : prefix;
            if (from.length() > 256
                    || !from.chars()
                            .allMatch(c -> c < 128
                                    && NAME_CHAR.matcher(Character.toString(c)).matches())) {
                throw new BadRequest("prefix must be at most 256 of [A-Za-z0-9._:/-]");
            }
            if (cursor != null) {
                checkName(cursor);
            }
            // Read as text: a query parameter JAX-RS cannot convert would be answered 404, as if the path were wrong.
            if (limit != null && !limit.matches("[0-9]{1,9}")) {
                throw new BadRequest("limit must be a whole number 1.." + LockStateMachine.LIST_LIMIT_MAX);
            }
            int max = limit == null ? 100 : Integer.parseInt(limit);
            if (max < 1 || max > LockStateMachine.LIST_LIMIT_MAX) {
                throw new BadRequest("limit must be 1.." + LockStateMachine.LIST_LIMIT_MAX);
            }
            String after = cursor == null ? "" : cursor;
            List<Uni<List<LockApi.LockBody>>> pages = new ArrayList<>();
            for (int shard : raft.view().shards().keySet()) {
                pages.add(Uni.createFrom()
                        .completionStage(() -> raft.readLocal(
                                shard,
                                machine -> LockJson.encodeList(
                                        ShardStateMachines.locks(machine).list(from, after, max).locks().stream()
                                                .map(LockResource::body)
                                                .toList())))
                        .map(reply -> reply instanceof RaftReply.Done done
                                ? LockJson.decodeList(done.result())
                                : List.<LockApi.LockBody>of()));
            }
            if (pages.isEmpty()) {
                return Uni.createFrom()
                        .item(Response.ok(new LockApi.LockList(List.of(), null)).build());
            }
            return Uni.join().all(pages).andFailFast().map(all -> {
                List<LockApi.LockBody> merged = new ArrayList<>();
                all.forEach(merged::addAll);
                merged.sort(Comparator.comparing(LockApi.LockBody::name));
                List<LockApi.LockBody> page = merged.subList(0, Math.min(max, merged.size()));
                String next = merged.size() > max ? page.getLast().name() : null;
                return Response.ok(new LockApi.LockList(List.copyOf(page), next), MediaType.APPLICATION_JSON)
                        .build();
            });
        });
    }

    // ---- helpers ----

    private static final Pattern NAME_CHAR = Pattern.compile("[A-Za-z0-9._:/-]");

    private Uni<LockReply> propose(int shard, LockCommand command) {
        return router.propose(shard, ShardServices.command(ShardServices.LOCKS, command.encode()))
                .map(LockReply::decode);
    }

    /** Proposes the same session command on every shard, in parallel; the replies in shard order. */
    private Uni<List<LockReply>> everyShard(java.util.function.IntFunction<LockCommand> command) {
        List<Uni<LockReply>> all = new ArrayList<>();
        for (int shard = 0; shard < raft.shardCount(); shard++) {
            all.add(propose(shard, command.apply(shard)));
        }
        return Uni.join().all(all).andFailFast();
    }

    /**
     * Answers about one lock carry {@link Headers#SHARD_LEADER}, the leader of its shard as this node knows it, so a
     * client can send the next request about the name there and skip the hop through this node.
     */
    private Uni<Response> naming(String name, Uni<Response> answer) {
        return answer.map(response -> {
            String leader;
            try {
                leader = forwarder.urlOf(raft.view().leaderOf(raft.shardOf(name)));
            } catch (RuntimeException e) {
                return response; // a name the checks refused: no shard to speak of
            }
            if (leader == null) {
                return response;
            }
            return Response.fromResponse(response)
                    .header(Headers.SHARD_LEADER, leader)
                    .build();
        });
    }

    private Uni<Response> guarded(String path, java.util.function.Supplier<Uni<Response>> work) {
        try {
            return work.get()
                    .onFailure(ShardRouter.Unrouted.class)
                    .recoverWithItem(e -> unavailable(e.getMessage(), ((ShardRouter.Unrouted) e).retrySafe(), path));
        } catch (BadRequest e) {
            return Uni.createFrom().item(problem(ProblemType.INVALID_REQUEST, e.getMessage(), path));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(problem(ProblemType.INVALID_REQUEST, e.getMessage(), path));
        }
    }

    private static long stableId(Caller who) {
        long h = 1125899906842597L;
        for (char c : (who.client() + "#" + who.sequence()).toCharArray()) {
            h = 31 * h + c;
        }
        long mixed = h ^ (h >>> 29) ^ (h << 17);
        return (mixed >>> 1) | 1;
    }

    private static long sessionId(String id) {
        if (id == null || id.isEmpty() || id.length() > 19 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadRequest("sessionId must be the decimal id POST /v1/sessions returned");
        }
        try {
            long value = Long.parseLong(id);
            if (value <= 0) {
                throw new BadRequest("sessionId must be positive");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new BadRequest("sessionId is out of range");
        }
    }

    private static LockMode mode(String mode) {
        if (mode == null) {
            return LockMode.EXCLUSIVE;
        }
        return switch (mode) {
            case "exclusive" -> LockMode.EXCLUSIVE;
            case "shared" -> LockMode.SHARED;
            default -> throw new BadRequest("mode must be exclusive or shared, was '" + mode + "'");
        };
    }

    private static void checkName(String name) {
        if (!LockCommand.isName(name)) {
            throw new BadRequest("name must be 1-256 of [A-Za-z0-9._:/-]");
        }
    }

    /** Another node leads the shard: ask it (clients never see not-leader). */
    private Uni<Response> forwardRead(int shard, String path, Integer hops) {
        String leader = raft.view().leaderOf(shard);
        int hop = hops == null ? 0 : hops;
        if (leader == null || hop >= LeaderForwarder.HOPS_MAX) {
            return Uni.createFrom()
                    .item(problem(ProblemType.NO_LEADER, "no leader known for the lock's shard; retry", path));
        }
        return forwarder
                .forward(leader, HttpMethod.GET, path, java.util.Map.of(), null, hop)
                .map(f -> {
                    Response.ResponseBuilder builder = Response.status(f.status());
                    if (f.body().length > 0) {
                        builder.entity(f.body());
                    }
                    if (f.contentType() != null) {
                        builder.type(f.contentType());
                    }
                    return builder.build();
                })
                .onFailure()
                .recoverWithItem(e -> problem(ProblemType.NO_LEADER, "leader " + leader + " unreachable", path));
    }

    private static Response grant(String name, long session, LockMode mode, long token) {
        return Response.ok(
                        new LockApi.Grant(
                                name, Long.toString(session), mode.name().toLowerCase(Locale.ROOT), token),
                        MediaType.APPLICATION_JSON)
                .build();
    }

    static Response acquireAnswer(LockReply reply, String name, long session, String path) {
        return switch (reply) {
            case LockReply.Granted g -> grant(name, session, g.mode(), g.token());
            case LockReply.Refused r ->
                problem(
                        ProblemType.LOCK_TIMEOUT,
                        r.reason() == LockReply.Refused.Reason.LOCK_DELAY
                                ? "the lock is in its lock-delay after a holder's session expired"
                                : "the lock is held in a conflicting mode or others wait first",
                        path);
            case LockReply.Deadlock d -> deadlock(d.cycle(), d.truncated(), path);
            default -> errorAnswer(reply, path);
        };
    }

    private static Response deadlock(List<CycleStep> cycle, boolean truncated, String path) {
        List<LockApi.CycleStepBody> steps = cycle.stream()
                .map(s -> new LockApi.CycleStepBody(Long.toString(s.session()), s.lock()))
                .toList();
        return LockProblems.respond(Problem.of(
                        ProblemType.DEADLOCK,
                        "waiting would close a cycle in the wait-for graph",
                        LockProblems.instance(path))
                .with("cycle", steps)
                .with("truncated", truncated));
    }

    static Response errorAnswer(LockReply reply, String path) {
        if (!(reply instanceof LockReply.Error error)) {
            // An answer of another kind of call: the idempotency key was used before, for that call, whose answer
            // this is (the state machine answers a repeated key alike). Retrying cannot help.
            return problem(
                    ProblemType.STALE_SEQUENCE,
                    "this client's sequence was already used for another call (answered " + replyKind(reply)
                            + "); every call needs a new sequence",
                    path);
        }
        return switch (error.error()) {
            case SESSION_NOT_FOUND -> problem(ProblemType.SESSION_NOT_FOUND, error.detail(), path);
            case NOT_HOLDER -> problem(ProblemType.NOT_HOLDER, error.detail(), path);
            case WRONG_TOKEN -> problem(ProblemType.WRONG_TOKEN, error.detail(), path);
            case SESSIONS_FULL, LOCKS_FULL, WAITERS_FULL, SESSION_LOCKS_FULL ->
                problem(ProblemType.LIMIT_REACHED, error.detail(), path);
            case STALE_SEQUENCE -> problem(ProblemType.STALE_SEQUENCE, error.detail(), path);
            default -> problem(ProblemType.INVALID_REQUEST, error.detail(), path);
        };
    }

    private static String replyKind(LockReply reply) {
        return reply.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** 503: the command could not be routed, or its outcome is unknown ({@code retrySafe} false). */
    static Response unavailable(String reason, boolean retrySafe, String path) {
        return Response.status(503)
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.of(ProblemType.UNAVAILABLE, reason, LockProblems.instance(path))
                        .with("retryable", retrySafe))
                .build();
    }

    static Response problem(ProblemType kind, String detail, String path) {
        return LockProblems.respond(Problem.of(kind, detail, LockProblems.instance(path)));
    }

    static LockApi.LockBody body(LockView view) {
        return new LockApi.LockBody(
                view.name(),
                view.holders().stream()
                        .map(h -> new LockApi.Holder(
                                Long.toString(h.session()),
                                h.mode().name().toLowerCase(Locale.ROOT),
                                h.token(),
                                h.sinceMs()))
                        .toList(),
                view.waiters().stream()
                        .map(w -> new LockApi.Waiter(
                                Long.toString(w.session()),
                                w.mode().name().toLowerCase(Locale.ROOT),
                                w.upgrade(),
                                w.sinceMs(),
                                w.deadlineMs()))
                        .toList(),
                view.delayUntilMs());
    }
}
