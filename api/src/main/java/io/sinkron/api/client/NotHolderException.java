package io.sinkron.api.client;

import io.sinkron.api.problem.Problem;

/**
 * A release was refused without effect: the session does not hold the lock (slug {@code not-holder}), or holds it
 * under another fencing token (slug {@code wrong-token}, e.g. the shared token after an upgrade).
 */
public class NotHolderException extends SinkronException {

    /** Creates the exception for a {@code not-holder} or {@code wrong-token} answer. */
    public NotHolderException(String slug, int status, String detail, Problem problem) {
        super(slug, status, detail, false, problem, null);
    }
}
