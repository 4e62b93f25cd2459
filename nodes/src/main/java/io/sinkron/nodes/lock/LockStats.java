package io.sinkron.nodes.lock;

/**
 * Gauges and totals of one shard's lock state, for metrics. The totals are replicated state (they survive snapshots),
 * so every replica reports the same numbers for the same applied index.
 *
 * @param clockMs log time
 * @param sessions live sessions
 * @param locks lock entries (held, awaited or in lock-delay)
 * @param waiters queued requests over all locks
 * @param grantsTotal grants ever made (an upgrade counts)
 * @param expiriesTotal sessions expired
 * @param timeoutsTotal waits timed out
 * @param deadlocksTotal acquires refused for a wait-for cycle, and waits aborted for a cycle across shards
 * @param deadlockSearchesAbandonedTotal deadlock searches that ran out of their edge budget (the request waited)
 */
public record LockStats(
        long clockMs,
        int sessions,
        int locks,
        int waiters,
        long grantsTotal,
        long expiriesTotal,
        long timeoutsTotal,
        long deadlocksTotal,
        long deadlockSearchesAbandonedTotal) {}
