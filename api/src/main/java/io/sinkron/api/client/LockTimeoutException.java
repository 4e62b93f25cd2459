package io.sinkron.api.client;

import io.sinkron.api.problem.Problem;

/**
 * The lock was not granted: it was busy for a try-lock, or still busy when the wait ended (slug {@code lock-timeout}).
 * Nothing changed on the cluster.
 */
public class LockTimeoutException extends SinkronException {

    /** Creates the exception for a {@code lock-timeout} answer. */
    public LockTimeoutException(int status, String detail, Problem problem) {
        super(Problems.LOCK_TIMEOUT, status, detail, false, problem, null);
    }
}
