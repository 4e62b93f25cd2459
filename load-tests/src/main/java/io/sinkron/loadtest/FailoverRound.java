package io.sinkron.loadtest;

/**
 * One measured failover.
 *
 * @param round 1-based round number
 * @param key the key written
 * @param killed the shard leader that was SIGKILLed
 * @param entry the node the writes went to
 * @param newLeader the leader the entry node names after the acknowledged write ({@code ?} if it names none)
 * @param termsAdvanced how far the shard's term moved on the entry node from before the kill to after the write: 1 is
 *     a single election, more means split votes or repeated timeouts
 * @param failoverNanos from the SIGKILL being sent to the 204 of the first acknowledged write
 * @param attempts PUT attempts it took (each ends in 204, a 5xx, or an HTTP timeout)
 */
record FailoverRound(
        int round,
        String key,
        String killed,
        String entry,
        String newLeader,
        long termsAdvanced,
        long failoverNanos,
        int attempts) {

    String line() {
        return String.format(
                "round %3d  killed %-4s entry %-4s new leader %-4s terms +%d  failover %9s ms  attempts %d  key %s",
                round, killed, entry, newLeader, termsAdvanced, FailoverSummary.millis(failoverNanos), attempts, key);
    }

    static String markdownHeader() {
        return "| round | killed | entry | new leader | terms | failover ms | PUT attempts |\n"
                + "|---|---|---|---|---|---|---|";
    }

    String markdownRow() {
        return String.format(
                "| %d | %s | %s | %s | +%d | %s | %d |",
                round, killed, entry, newLeader, termsAdvanced, FailoverSummary.millis(failoverNanos), attempts);
    }
}
