package io.sinkron.nodes.locks;

import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/** The problem types of the lock API (docs/api.md), each with its status and whether a retry is safe. */
final class LockProblems {

    static final URI DEADLOCK = URI.create(ProblemType.TYPE_PREFIX + "deadlock");

    private LockProblems() {}

    /** A stable problem type. */
    enum Kind {
        INVALID("invalid-request", "Invalid Request", 400, false),
        NOT_FOUND("not-found", "Not Found", 404, false),
        SESSION_NOT_FOUND("session-not-found", "Session Not Found", 404, false),
        LOCK_TIMEOUT("lock-timeout", "Lock Not Granted", 409, true),
        NOT_HOLDER("not-holder", "Not The Holder", 409, false),
        WRONG_TOKEN("wrong-token", "Wrong Fencing Token", 409, false),
        STALE("stale-sequence", "Stale Sequence", 409, false),
        LIMIT("limit-reached", "Limit Reached", 429, true),
        NO_LEADER("no-leader", "No Leader", 503, true),
        UNAVAILABLE("unavailable", "Service Unavailable", 503, true);

        private final String slug;
        private final String title;
        private final int status;
        private final boolean retryable;

        Kind(String slug, String title, int status, boolean retryable) {
            this.slug = slug;
            this.title = title;
            this.status = status;
            this.retryable = retryable;
        }

        Problem problem(String detail, String path) {
            return new Problem(
                    URI.create(ProblemType.TYPE_PREFIX + slug),
                    title,
                    status,
                    detail,
                    instance(path),
                    Map.of("retryable", retryable));
        }
    }

    /** The request path as an instance URI; characters a URI may not hold (the name was refused for them) are quoted. */
    static URI instance(String path) {
        try {
            return new URI(null, null, path, null);
        } catch (URISyntaxException e) {
            return URI.create("/v1/locks");
        }
    }

    static Response respond(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
