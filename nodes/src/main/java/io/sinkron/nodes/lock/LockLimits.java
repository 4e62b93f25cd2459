package io.sinkron.nodes.lock;

/**
 * The bounds of one shard's lock state (STYLE.md rule 12). Every replica of a shard must use the same limits, since
 * they decide replies; they are therefore constants of the code version ({@link #DEFAULTS}), not configuration. Tests
 * use smaller ones to reach them.
 *
 * @param sessionsMax open sessions; past it OpenSession is refused with {@link LockError#SESSIONS_FULL}
 * @param locksMax lock entries (held, awaited or in lock-delay); past it a grant of a new name is refused
 * @param waitersPerLockMax queued requests per lock
 * @param locksPerSessionMax names a session holds or waits for (an upgrade does not count again)
 * @param clientsMax clients remembered for at-most-once replies; the least recently seen is forgotten past it
 * @param cycleStepsMax steps of a reported deadlock cycle; longer cycles are reported truncated
 * @param deadlockSearchEdgesMax wait-for edges one deadlock search may look at; past it the search gives up
 */
public record LockLimits(
        int sessionsMax,
        int locksMax,
        int waitersPerLockMax,
        int locksPerSessionMax,
        int clientsMax,
        int cycleStepsMax,
        int deadlockSearchEdgesMax) {

    /** Shortest session ttl: shorter leases would expire under ordinary keep-alive jitter. */
    public static final long TTL_MS_MIN = 1_000;

    /** Longest session ttl: a dead client's locks are freed within five minutes. */
    public static final long TTL_MS_MAX = 300_000;

    /** Longest wait of an acquire; clients wanting longer wait again. */
    public static final long WAIT_MS_MAX = 300_000;

    /** Longest lock-delay (Chubby §2.4) an acquire may ask for. */
    public static final long LOCK_DELAY_MS_MAX = 60_000;

    /** The limits of the product; see docs/locks.md. */
    public static final LockLimits DEFAULTS = new LockLimits(10_000, 100_000, 1_000, 256, 10_000, 32, 1_000_000);

    public LockLimits {
        if (sessionsMax < 1
                || locksMax < 1
                || waitersPerLockMax < 1
                || locksPerSessionMax < 1
                || clientsMax < 1
                || cycleStepsMax < 2
                || deadlockSearchEdgesMax < 1) {
            throw new IllegalArgumentException("every limit must be positive and cycleStepsMax at least 2");
        }
    }
}
