package io.sinkron.nodes.kv;

import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;

/** The problem+json answers of the key-value API, each with a stable type and whether a retry is safe. */
final class KvProblems {

    /** No leader could be found for the shard within the retry budget (an election is running). */
    static final URI NO_LEADER = URI.create(ProblemType.TYPE_PREFIX + "no-leader");

    /** The body is over {@link KvCommand#VALUE_BYTES_MAX}. */
    static final URI PAYLOAD_TOO_LARGE = URI.create(ProblemType.TYPE_PREFIX + "payload-too-large");

    private KvProblems() {}

    static Response noLeader(String detail, String path) {
        return respond(new Problem(NO_LEADER, "No Leader", 503, detail, URI.create(path), Map.of("retryable", true)));
    }

    static Response tooLarge(int bytes, String path) {
        return respond(new Problem(
                PAYLOAD_TOO_LARGE,
                "Payload Too Large",
                413,
                "the value has " + bytes + " bytes; at most " + KvCommand.VALUE_BYTES_MAX + " are accepted",
                URI.create(path),
                Map.of("retryable", false, "limitBytes", KvCommand.VALUE_BYTES_MAX)));
    }

    static Response invalid(String detail, String path) {
        return respond(Problem.of(ProblemType.INVALID_REQUEST, detail, URI.create(path)));
    }

    static Response notFound(String detail, String path) {
        return respond(Problem.of(ProblemType.NOT_FOUND, detail, URI.create(path)));
    }

    static Response unavailable(String detail, boolean retrySafe, String path) {
        return respond(
                Problem.of(ProblemType.UNAVAILABLE, detail, URI.create(path)).with("retryable", retrySafe));
    }

    static Response respond(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
