package io.sinkron.nodes.locks;

import io.sinkron.api.problem.Problem;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;

/** How the lock API answers a problem; the types themselves live in the catalogue, {@code ProblemType}. */
final class LockProblems {

    private LockProblems() {}

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
