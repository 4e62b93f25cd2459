package io.sinkron.nodes.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import io.sinkron.nodes.locks.LockApi;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the REST mapper reads only exactly one JSON value of the documented shape: trailing tokens, repeated fields
// and scalars of another type (strings or fractions for numbers, numbers for strings) fail, as a Jackson exception
// ProblemMappers answers 400; the documented forms still read. Each refused body was accepted, or failed as a 500,
// with Jackson's defaults.
class StrictJsonTest {

    private final ObjectMapper json = strict();

    private static ObjectMapper strict() {
        ObjectMapper mapper = new ObjectMapper();
        new StrictJson().customize(mapper);
        return mapper;
    }

    @Test
    void readsTheDocumentedForms() throws Exception {
        assertThat(json.readValue(
                        "{\"sessionId\": \"123\", \"mode\": \"shared\", \"waitMs\": 10, \"lockDelayMs\": null}",
                        LockApi.AcquireRequest.class))
                .isEqualTo(new LockApi.AcquireRequest("123", "shared", 10L, null));
        assertThat(json.readValue("{\"sessionId\": \"7\", \"token\": 27}", LockApi.ReleaseRequest.class))
                .isEqualTo(new LockApi.ReleaseRequest("7", 27L));
        assertThat(json.readValue("{\"ttlMs\": 5000} \n", LockApi.SessionRequest.class))
                .isEqualTo(new LockApi.SessionRequest(5000L));
    }

    @Test
    void refusesAnythingButOneValueOfTheDocumentedShape() {
        List<String> acquires = List.of(
                "{\"sessionId\": \"1\", \"waitMs\": 0} x",
                "{\"sessionId\": \"1\", \"waitMs\": 0}{}",
                "{\"sessionId\": \"1\", \"mode\": \"exclusive\", \"mode\": \"shared\"}",
                "{\"sessionId\": \"1\", \"waitMs\": 1.5}",
                "{\"sessionId\": \"1\", \"waitMs\": 10.0}",
                "{\"sessionId\": \"1\", \"waitMs\": \"10\"}",
                "{\"sessionId\": \"1\", \"waitMs\": \"\"}",
                "{\"sessionId\": \"1\", \"waitMs\": true}",
                "{\"sessionId\": \"1\", \"lockDelayMs\": \"10\"}",
                "{\"sessionId\": 1}",
                "{\"sessionId\": \"1\", \"mode\": false}");
        for (String body : acquires) {
            assertThatThrownBy(() -> json.readValue(body, LockApi.AcquireRequest.class))
                    .as(body)
                    .isInstanceOf(JsonProcessingException.class);
        }
        List<String> releases = List.of(
                "{\"sessionId\": \"1\", \"token\": 5, \"token\": 6}",
                "{\"sessionId\": \"1\", \"token\": 33.5}",
                "{\"sessionId\": \"1\", \"token\": \"27\"}");
        for (String body : releases) {
            assertThatThrownBy(() -> json.readValue(body, LockApi.ReleaseRequest.class))
                    .as(body)
                    .isInstanceOf(JsonProcessingException.class)
                    .isNotInstanceOf(InvalidDefinitionException.class);
        }
        for (String body :
                List.of("{\"ttlMs\": 5000, \"ttlMs\": 6000}", "{\"ttlMs\": 1500.5}", "{\"ttlMs\": \"5000\"}")) {
            assertThatThrownBy(() -> json.readValue(body, LockApi.SessionRequest.class))
                    .as(body)
                    .isInstanceOf(JsonProcessingException.class)
                    .isNotInstanceOf(InvalidDefinitionException.class);
        }
    }

    @Test
    void aDefinitionErrorIsTheRequestsOnlyWhileReading() {
        assertThatThrownBy(() -> json.readValue("{}", Runnable.class))
                .isInstanceOfSatisfying(
                        InvalidDefinitionException.class,
                        e -> assertThat(ProblemMappers.whileReading(e)).isTrue());
        assertThatThrownBy(() -> json.writeValueAsString(new Object()))
                .isInstanceOfSatisfying(
                        InvalidDefinitionException.class,
                        e -> assertThat(ProblemMappers.whileReading(e)).isFalse());
        assertThat(JsonParser.Feature.STRICT_DUPLICATE_DETECTION.enabledIn(
                        json.getFactory().getParserFeatures()))
                .isTrue();
    }
}
