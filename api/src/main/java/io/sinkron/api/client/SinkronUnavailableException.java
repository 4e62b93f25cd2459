package io.sinkron.api.client;

import io.sinkron.api.problem.Problem;

/**
 * Every attempt failed: endpoints unreachable, timed out, or answering a retryable problem (slug
 * {@code unavailable}, or the slug of the last retryable problem, e.g. {@code no-leader}). For a mutating request
 * the outcome is unknown — it may have been applied once, never twice. The failures of earlier attempts are attached
 * as suppressed exceptions.
 */
public class SinkronUnavailableException extends SinkronException {

    private final int attempts;

    /**
     * @param slug the slug of the last retryable problem, or {@code unavailable} after a transport failure
     * @param status the HTTP status of the last answer, or 0 if the last attempt got none
     * @param detail what happened, for a human
     * @param problem the last problem answered, or {@code null}
     * @param attempts how many attempts were made
     * @param cause the failure of the last attempt
     */
    public SinkronUnavailableException(
            String slug, int status, String detail, Problem problem, int attempts, Throwable cause) {
        super(slug, status, detail, true, problem, cause);
        this.attempts = attempts;
    }

    /** How many attempts were made before giving up. */
    public int attempts() {
        return attempts;
    }
}
