package io.sinkron.api.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the RFC 9457 wire shape of Problem: extension members sit beside the standard ones, absent optional members
// are left out, and a body read back equals the problem written.
class ProblemTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void writesExtensionsAsTopLevelMembers() throws Exception {
        Problem problem = Problem.of(ProblemType.NOT_FOUND, "no route GET /nope", URI.create("/nope"))
                .with("path", "/nope");

        JsonNode body = json.readTree(json.writeValueAsString(problem));

        assertThat(body.get("type").asText()).isEqualTo("https://sinkron.io/problems/not-found");
        assertThat(body.get("title").asText()).isEqualTo("Not Found");
        assertThat(body.get("status").asInt()).isEqualTo(404);
        assertThat(body.get("detail").asText()).isEqualTo("no route GET /nope");
        assertThat(body.get("instance").asText()).isEqualTo("/nope");
        assertThat(body.get("retryable").asBoolean()).isFalse();
        assertThat(body.get("path").asText()).isEqualTo("/nope");
        assertThat(body.has("extensions")).isFalse();
    }

    @Test
    void leavesOutAbsentOptionalMembers() throws Exception {
        Problem problem =
                new Problem(ProblemType.INTERNAL_ERROR.type(), "Internal Server Error", 500, null, null, null);

        JsonNode body = json.readTree(json.writeValueAsString(problem));

        assertThat(body.has("detail")).isFalse();
        assertThat(body.has("instance")).isFalse();
        assertThat(body.size()).isEqualTo(3);
    }

    @Test
    void readsBackWhatItWrote() throws Exception {
        Problem written = Problem.of(ProblemType.UNAVAILABLE, "storage unreachable", URI.create("/v1/cluster"))
                .with("attempts", 3);

        Problem read = json.readValue(json.writeValueAsString(written), Problem.class);

        assertThat(read).isEqualTo(written);
        assertThat(ProblemType.of(read.type())).contains(ProblemType.UNAVAILABLE);
    }

    @Test
    void readsAMissingTypeAsAboutBlank() throws Exception {
        Problem read = json.readValue("{\"title\":\"Teapot\",\"status\":418}", Problem.class);

        assertThat(read.type()).isEqualTo(URI.create("about:blank"));
        assertThat(read.extensions()).isEmpty();
    }

    @Test
    void refusesAnExtensionThatHidesAStandardMember() {
        assertThatThrownBy(() ->
                        new Problem(ProblemType.NOT_FOUND.type(), "Not Found", 404, null, null, Map.of("status", 200)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("status");
    }

    @Test
    void mapsPlainStatusesToCataloguedTypes() {
        assertThat(ProblemType.forStatus(404)).isEqualTo(ProblemType.NOT_FOUND);
        assertThat(ProblemType.forStatus(405)).isEqualTo(ProblemType.METHOD_NOT_ALLOWED);
        assertThat(ProblemType.forStatus(503)).isEqualTo(ProblemType.UNAVAILABLE);
        assertThat(ProblemType.forStatus(502)).isEqualTo(ProblemType.INTERNAL_ERROR);
        assertThat(ProblemType.forStatus(409)).isEqualTo(ProblemType.INVALID_REQUEST);
        assertThat(ProblemType.forStatus(413)).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(ProblemType.forStatus(429)).isEqualTo(ProblemType.INVALID_REQUEST);
    }
}
