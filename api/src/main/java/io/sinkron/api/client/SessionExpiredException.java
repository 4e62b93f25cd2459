package io.sinkron.api.client;

import io.sinkron.api.problem.Problem;

/**
 * The session does not exist on the cluster: it expired, was closed, or never existed (slug
 * {@code session-not-found}). Every lock it held is gone; open a new session.
 */
public class SessionExpiredException extends SinkronException {

    /** Creates the exception for a {@code session-not-found} answer. */
    public SessionExpiredException(int status, String detail, Problem problem) {
        super(Problems.SESSION_NOT_FOUND, status, detail, false, problem, null);
    }
}
