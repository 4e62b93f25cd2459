package io.sinkron.api.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns error answers into problems, and problems into the typed exceptions callers catch. Pure helpers. */
final class Problems {

    static final String LOCK_TIMEOUT = "lock-timeout";
    static final String DEADLOCK = "deadlock";
    static final String SESSION_NOT_FOUND = "session-not-found";
    static final String NOT_HOLDER = "not-holder";
    static final String WRONG_TOKEN = "wrong-token";
    static final String NOT_FOUND = "not-found";
    static final String UNAVAILABLE = "unavailable";

    private Problems() {}

    /**
     * The problem an error answer carries; a body that is not a problem (e.g. from a proxy) becomes one built from the
     * status alone, retryable for 502, 503 and 504 since such an answer says nothing was applied by a node.
     */
    static Problem read(ObjectMapper json, int status, String contentType, byte[] body) {
        if (contentType.startsWith(Problem.MEDIA_TYPE) && body.length > 0) {
            try {
                Problem problem = json.readValue(body, Problem.class);
                if (problem.type().toString().startsWith(ProblemType.TYPE_PREFIX)) {
                    return problem;
                }
            } catch (IOException | IllegalArgumentException e) {
                // Not a problem after all: the status below still says enough to decide on a retry.
                return fromStatus(status, "unreadable problem body: " + e.getMessage());
            }
        }
        return fromStatus(status, "");
    }

    private static Problem fromStatus(int status, String detail) {
        ProblemType kind = ProblemType.forStatus(status);
        boolean gateway = status == 502 || status == 503 || status == 504;
        return new Problem(
                kind.type(),
                kind.title(),
                status,
                detail.isEmpty() ? "HTTP " + status : detail,
                null,
                Map.of("retryable", gateway));
    }

    /** The last segment of the problem's type URI, e.g. {@code lock-timeout}. */
    static String slug(Problem problem) {
        String type = problem.type().toString();
        return type.startsWith(ProblemType.TYPE_PREFIX) ? type.substring(ProblemType.TYPE_PREFIX.length()) : type;
    }

    /** Whether the problem says the same request may be sent again (the {@code retryable} extension). */
    static boolean retryable(Problem problem) {
        return Boolean.TRUE.equals(problem.extensions().get("retryable"));
    }

    /** The typed exception for a problem the client does not retry. */
    static SinkronException toException(Problem problem) {
        String slug = slug(problem);
        int status = problem.status();
        String detail = problem.detail() == null ? "" : problem.detail();
        return switch (slug) {
            case LOCK_TIMEOUT -> new LockTimeoutException(status, detail, problem);
            case DEADLOCK ->
                new DeadlockException(
                        status, detail, problem, cycle(problem.extensions().get("cycle")));
            case SESSION_NOT_FOUND -> new SessionExpiredException(status, detail, problem);
            case NOT_HOLDER, WRONG_TOKEN -> new NotHolderException(slug, status, detail, problem);
            default -> new SinkronException(slug, status, detail, retryable(problem), problem, null);
        };
    }

    /** The exception for an answer that does not have the shape the contract promises. */
    static SinkronException invalidResponse(int status, String detail) {
        return new SinkronException(SinkronException.INVALID_RESPONSE, status, detail, false, null, null);
    }

    /** Reads the {@code cycle} extension: a list of {@code {"sessionId", "lock"}} objects; anything else is skipped. */
    private static List<DeadlockException.CycleStep> cycle(Object member) {
        List<DeadlockException.CycleStep> steps = new ArrayList<>();
        if (member instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> step && step.get("sessionId") != null && step.get("lock") != null) {
                    steps.add(new DeadlockException.CycleStep(
                            step.get("sessionId").toString(), step.get("lock").toString()));
                }
            }
        }
        return steps;
    }
}
