package io.sinkron.nodes.locks;

import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Keeps a lock name in a URL path exactly what the client wrote. Before a request is matched to a resource, its path
 * is normalized: {@code a//b} and {@code a/./b} become {@code a/b}, {@code a/../b} becomes {@code b}, and everything
 * after a {@code ;} is taken for a matrix parameter and dropped, so {@code /v1/locks/a;b/acquire} would take the lock
 * {@code a}. A path under {@code /v1/locks/} or {@code /v1/cluster/placement/} that normalization would change is
 * refused here, 400 {@code invalid-request}, before anything runs. A name that has an empty segment ({@code a//b}) is
 * still reachable with its slashes percent-encoded ({@code a%2F%2Fb}), or over the lock socket.
 */
public class LockPaths {

    private static final String[] PREFIXES = {"/v1/locks/", "/v1/cluster/placement/"};

    @ServerRequestFilter(preMatching = true)
    public Response refuseNormalizedNames(HttpServerRequest request) {
        String path = request.path();
        if (path == null) {
            return null;
        }
        for (String prefix : PREFIXES) {
            if (path.startsWith(prefix)) {
                String problem = problem(path.substring(prefix.length()));
                return problem == null
                        ? null
                        : LockProblems.respond(
                                Problem.of(ProblemType.INVALID_REQUEST, problem, LockProblems.instance(path)));
            }
        }
        return null;
    }

    /** What is wrong with the path after the prefix (name and, for lock calls, the action), or null. */
    static String problem(String rest) {
        if (rest.indexOf(';') >= 0 || rest.toLowerCase(Locale.ROOT).contains("%3b")) {
            return "a lock name has only [A-Za-z0-9._:/-]; ';' would cut the path short";
        }
        String decoded;
        try {
            // Encoded slashes stay inside their segment; anything else encoded counts as what it stands for.
            decoded = URLDecoder.decode(
                    rest.replace("%2F", "%252F").replace("%2f", "%252f").replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "the path has a malformed percent-encoding";
        }
        for (String segment : decoded.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "a lock name in a URL path may not begin or end with '/', nor hold '//', '/./' or '/../'"
                        + " (the path would be normalized into another name); percent-encode such slashes as %2F";
            }
        }
        return null;
    }
}
