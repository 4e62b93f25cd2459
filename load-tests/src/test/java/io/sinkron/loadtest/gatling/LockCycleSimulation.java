package io.sinkron.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.Arrays;

/**
 * Closed loop of lock cycles (acquire exclusive, then release; the "cycle" group times both) over the nodes of a
 * running cluster, the same work as {@code bin/bench --scenario lock-cycle}. Each user opens its own session, keeps
 * it alive every 10 s, loops for -Dseconds (default 20) and closes the session. After its first acquire a user sends
 * its lock requests to the node the answers name as the shard's leader ({@code Sinkron-Shard-Leader}). -Dusers (default 16) start at once;
 * -Dnames=distinct (a lock per user, default) or contended (one lock). Run: ./mvnw -pl load-tests gatling:test
 * -Dgatling.simulationClass=io.sinkron.loadtest.gatling.LockCycleSimulation -Dnames=contended
 */
public class LockCycleSimulation extends Simulation {

    private static final String[] NODES = System.getProperty(
                    "targets", "http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083")
            .split(",");
    private static final int USERS = Integer.getInteger("users", 16);
    private static final int SECONDS = Integer.getInteger("seconds", 20);
    private static final boolean CONTENDED = "contended".equals(System.getProperty("names", "distinct"));

    /** Session ttl; renewed every {@link #KEEPALIVE_MILLIS}, a third of it. */
    private static final long TTL_MS = 30_000;

    private static final long KEEPALIVE_MILLIS = 10_000;

    /** How long an acquire may wait on the server for a busy lock (then 409, a failed request). */
    private static final long WAIT_MS = 10_000;

    /** Names the node leading the lock's shard (docs/api.md); later requests about the lock go there. */
    private static final String LEADER_HEADER = "Sinkron-Shard-Leader";

    /**
     * The lock's URL: on the node its last answer named as the shard's leader, as the Java client does, else relative
     * to the user's own node. Only a URL among the targets is used.
     */
    private static String viaLeader(Session session, String action) {
        String path = "/v1/locks/" + session.getString("lock") + action;
        String leader = session.contains("leader") ? session.getString("leader") : null;
        return leader != null && Arrays.asList(NODES).contains(leader) ? leader + path : path;
    }

    // http.baseUrls assigns each virtual user one node, round-robin: users are spread like the driver's workers.
    private final HttpProtocolBuilder protocol =
            http.baseUrls(NODES).acceptHeader("application/json").shareConnections();

    private final ScenarioBuilder lockCycle = scenario("lock-cycle")
            .exec(session -> session.set("lock", CONTENDED ? "bench/hot" : "bench/g" + session.userId()))
            .exec(http("open session")
                    .post("/v1/sessions")
                    .body(StringBody("{\"ttlMs\":" + TTL_MS + "}"))
                    .asJson()
                    .check(status().is(201), jmesPath("sessionId").saveAs("sessionId")))
            .exec(session -> session.set("keptAt", System.currentTimeMillis()))
            .during(Duration.ofSeconds(SECONDS))
            .on(group("cycle")
                    .on(exec(http("acquire")
                                    .post(session -> viaLeader(session, "/acquire"))
                                    .body(StringBody(
                                            "{\"sessionId\":\"#{sessionId}\",\"mode\":\"exclusive\",\"waitMs\":"
                                                    + WAIT_MS + "}"))
                                    .asJson()
                                    .check(
                                            status().is(200),
                                            jmesPath("token").saveAs("token"),
                                            header(LEADER_HEADER).optional().saveAs("leader")))
                            .exec(http("release")
                                    .post(session -> viaLeader(session, "/release"))
                                    .body(StringBody("{\"sessionId\":\"#{sessionId}\",\"token\":#{token}}"))
                                    .asJson()
                                    .check(status().is(200))))
                    .exitHereIfFailed()
                    .exec(doIf(session -> System.currentTimeMillis() - session.getLong("keptAt") >= KEEPALIVE_MILLIS)
                            .then(exec(http("keepalive")
                                            .put("/v1/sessions/#{sessionId}/keepalive")
                                            .check(status().is(200)))
                                    .exec(session -> session.set("keptAt", System.currentTimeMillis())))))
            .exec(http("close session").delete("/v1/sessions/#{sessionId}").check(status().is(204)));

    {
        // Open injection of all users at once: each runs its own bounded loop, then closes its session.
        setUp(lockCycle.injectOpen(atOnceUsers(USERS)))
                .protocols(protocol)
                .maxDuration(Duration.ofSeconds(SECONDS + 15))
                .assertions(global().failedRequests().percent().lt(1.0));
    }
}
