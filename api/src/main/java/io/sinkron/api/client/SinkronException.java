package io.sinkron.api.client;

import io.sinkron.api.problem.Problem;
import java.util.Optional;

/**
 * A request the cluster refused, or one the client could not complete. The {@link #slug()} says which: for an answer
 * of the cluster it is the last segment of the problem {@code type} (e.g. {@code invalid-request}); the client adds
 * {@value #INVALID_RESPONSE} (the answer did not have the contract's shape) and {@value #INTERRUPTED} (the calling
 * thread was interrupted while waiting). Subclasses name the outcomes callers usually handle.
 */
public class SinkronException extends RuntimeException {

    /** The slug of a problem the client raises when an answer does not follow the contract. */
    public static final String INVALID_RESPONSE = "invalid-response";

    /** The slug of a problem the client raises when the calling thread is interrupted while it waits. */
    public static final String INTERRUPTED = "interrupted";

    private final String slug;
    private final int status;
    private final String detail;
    private final boolean retryable;
    private final transient Problem problem;

    /**
     * @param slug the kind of problem, e.g. {@code invalid-request}
     * @param status the HTTP status of the answer, or 0 when there was none
     * @param detail what went wrong this time, for a human; may be empty
     * @param retryable whether the same request may succeed later
     * @param problem the problem body of the answer, or {@code null} when there was none
     * @param cause the underlying failure, or {@code null}
     */
    public SinkronException(
            String slug, int status, String detail, boolean retryable, Problem problem, Throwable cause) {
        super(slug + (status == 0 ? "" : " (" + status + ")") + (detail.isEmpty() ? "" : ": " + detail), cause);
        this.slug = slug;
        this.status = status;
        this.detail = detail;
        this.retryable = retryable;
        this.problem = problem;
    }

    /** The kind of problem: the last segment of the problem {@code type}, or one of the client's own slugs. */
    public String slug() {
        return slug;
    }

    /** The HTTP status of the answer, or 0 when the client gave up without one. */
    public int status() {
        return status;
    }

    /** What went wrong this time, for a human; empty when nobody said. */
    public String detail() {
        return detail;
    }

    /** Whether the cluster said that the same request may succeed later. */
    public boolean retryable() {
        return retryable;
    }

    /** The problem body the cluster answered with, if there was one. */
    public Optional<Problem> problem() {
        return Optional.ofNullable(problem);
    }
}
