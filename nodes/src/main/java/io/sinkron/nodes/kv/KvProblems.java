package io.sinkron.nodes.kv;

import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** The problem+json answers of the key-value API, each with a stable type and whether a retry is safe. */
final class KvProblems {

    private KvProblems() {}

    static Response noLeader(String detail, String path) {
        return respond(Problem.of(ProblemType.NO_LEADER, detail, URI.create(path)));
    }

    static Response tooLarge(int bytes, String path) {
        return respond(Problem.of(
                        ProblemType.PAYLOAD_TOO_LARGE,
                        "the value has " + bytes + " bytes; at most " + KvCommand.VALUE_BYTES_MAX + " are accepted",
                        URI.create(path))
                .with("limitBytes", KvCommand.VALUE_BYTES_MAX));
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
