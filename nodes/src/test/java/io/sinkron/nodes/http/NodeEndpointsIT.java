package io.sinkron.nodes.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sinkron.nodes.NodeTestResource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the node's HTTP surface on a real embedded PostgreSQL: readiness includes the database, /v1/cluster reports
// the static membership with probed liveness (a live stand-in peer and a dead port), the per-peer gauge is exported,
// the OpenAPI document is served, and errors (unknown route, wrong method, bad JSON, unknown field, a bug) are
// problem+json.
@QuarkusTest
@QuarkusTestResource(NodeTestResource.class)
class NodeEndpointsIT {

    private static final String PROBLEM_JSON = "application/problem+json";

    @Test
    void readyIncludesTheDatabase() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("sinkron-node", "Reactive PostgreSQL connections health check"));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void clusterShowsEveryMemberWithProbedLiveness() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath cluster = given().when()
                    .get("/v1/cluster")
                    .then()
                    .statusCode(200)
                    .contentType("application/json")
                    .extract()
                    .jsonPath();
            assertThat(cluster.getString("self")).isEqualTo("n1");
            assertThat(cluster.getList("members.id")).containsExactly("n1", "n2", "n3");
            assertThat(cluster.getList("members.alive")).containsExactly(true, true, false);
            assertThat(cluster.getList("members.url", String.class))
                    .allMatch(url -> url.startsWith("http://127.0.0.1:"));
            assertThat(cluster.getLong("members[1].lastSeenMs")).isPositive();
            assertThat((Object) cluster.get("members[2].lastSeenMs")).isNull();
            // Every shard is listed with its three replicas (no leader here: n2 is a stand-in and n3 is down).
            assertThat(cluster.getList("shards")).hasSize(8);
            assertThat(cluster.getList("shards[0].members", String.class)).containsExactlyInAnyOrder("n1", "n2", "n3");
        });
    }

    @Test
    void exportsOneAliveGaugePerPeer() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = given().when()
                    .get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertThat(metrics)
                    .contains("sinkron_member_alive{peer=\"n1\"} 1.0")
                    .contains("sinkron_member_alive{peer=\"n2\"} 1.0")
                    .contains("sinkron_member_alive{peer=\"n3\"} 0.0");
        });
    }

    @Test
    void servesTheOpenApiDocumentAndSwaggerUi() {
        given().accept("application/json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/v1/cluster"));
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void answersAnUnknownRouteWithAProblem() {
        Map<String, Object> problem = problem(given().when().get("/v1/nowhere"), 404);

        assertThat(problem)
                .containsEntry("type", "https://sinkron.io/problems/not-found")
                .containsEntry("title", "Not Found")
                .containsEntry("instance", "/v1/nowhere")
                .containsEntry("retryable", false);
        problem(given().when().get("/q/nowhere"), 404);
    }

    @Test
    void answersAWrongMethodWithAProblem() {
        Map<String, Object> problem = problem(given().when().delete("/v1/cluster"), 405);

        assertThat(problem).containsEntry("type", "https://sinkron.io/problems/method-not-allowed");
    }

    @Test
    void answersBadJsonWithAProblem() {
        Map<String, Object> problem = problem(
                given().contentType("application/json").body("{\"name\":").post("/test/echo"), 400);

        assertThat(problem).containsEntry("type", "https://sinkron.io/problems/malformed-request");
        assertThat((String) problem.get("detail")).startsWith("the body is not valid JSON");
    }

    @Test
    void answersAWrongShapeWithAProblem() {
        Map<String, Object> problem =
                problem(given().contentType("application/json").body("[1,2]").post("/test/echo"), 400);

        assertThat(problem).containsEntry("type", "https://sinkron.io/problems/malformed-request");
        assertThat((String) problem.get("detail")).startsWith("the body does not have the expected shape");
    }

    @Test
    void refusesUnknownFields() {
        Map<String, Object> problem = problem(
                given().contentType("application/json")
                        .body("{\"name\":\"a\",\"nmae\":\"b\"}")
                        .post("/test/echo"),
                400);

        assertThat(problem)
                .containsEntry("type", "https://sinkron.io/problems/malformed-request")
                .containsEntry("field", "nmae");
        given().contentType("application/json")
                .body("{\"name\":\"a\"}")
                .post("/test/echo")
                .then()
                .statusCode(200)
                .body("name", equalTo("a"));
    }

    @Test
    void answersABugWithAProblemThatHidesInternals() {
        Map<String, Object> problem = problem(given().when().get("/test/echo/bug"), 500);

        assertThat(problem)
                .containsEntry("type", "https://sinkron.io/problems/internal-error")
                .containsEntry("instance", "/test/echo/bug");
        assertThat(problem.toString()).doesNotContain("secret internals");
    }

    private static Map<String, Object> problem(io.restassured.response.Response response, int status) {
        return response.then()
                .statusCode(status)
                .contentType(startsWith(PROBLEM_JSON))
                .body("status", equalTo(status))
                .extract()
                .jsonPath()
                .getMap("");
    }
}
