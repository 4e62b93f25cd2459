package io.sinkron.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * Closed-model load on GET /v1/cluster, spread over the nodes of a running cluster. Bounded by -Dusers (default 16)
 * and -Dseconds (default 20). Run: ./mvnw -pl load-tests gatling:test
 * -Dgatling.simulationClass=io.sinkron.loadtest.gatling.ClusterReadSimulation
 */
public class ClusterReadSimulation extends Simulation {

    private static final String[] NODES = System.getProperty(
                    "targets", "http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083")
            .split(",");
    private static final int USERS = Integer.getInteger("users", 16);
    private static final int SECONDS = Integer.getInteger("seconds", 20);

    private final HttpProtocolBuilder protocol =
            http.baseUrls(NODES).acceptHeader("application/json").shareConnections();

    private final ScenarioBuilder readCluster = scenario("cluster-read")
            .forever()
            .on(exec(http("GET /v1/cluster").get("/v1/cluster").check(status().is(200))));

    {
        setUp(readCluster.injectClosed(constantConcurrentUsers(USERS).during(Duration.ofSeconds(SECONDS))))
                .protocols(protocol)
                .maxDuration(Duration.ofSeconds(SECONDS + 5))
                .assertions(global().failedRequests().percent().lt(1.0));
    }
}
