package io.sinkron.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of the {@code failover} scenario (picocli mixin of {@link BenchDriver}); every wait has a bound. */
final class FailoverOptions {

    /** Most rounds one run may ask for. */
    static final int KILLS_MAX = 1000;

    @Option(names = "--kills", defaultValue = "10", description = "failover: leader kills (rounds), 1.." + KILLS_MAX)
    int kills;

    @Option(
            names = "--max-duration",
            defaultValue = "PT20M",
            description = "failover: bound on the whole run; no round starts after it (ISO-8601).")
    Duration maxDuration;

    @Option(
            names = "--cluster-script",
            defaultValue = "bin/cluster",
            description = "failover: the launcher that restarts a killed node ('<script> start <node>').")
    Path clusterScript;

    @Option(
            names = "--data-dir",
            defaultValue = "data",
            description = "failover: the cluster's data directory, holding <node>/node.pid.")
    Path dataDir;

    @Option(
            names = "--attempt-timeout",
            defaultValue = "PT3S",
            description = "failover: HTTP timeout of one PUT attempt after the kill.")
    Duration attemptTimeout;

    @Option(
            names = "--failover-max",
            defaultValue = "PT30S",
            description = "failover: a round fails when no write is acknowledged this long after the kill.")
    Duration failoverMax;

    @Option(
            names = "--settle-max",
            defaultValue = "PT90S",
            description = "failover: bound on waiting for a settled, caught-up cluster (before a round and after"
                    + " a restart).")
    Duration settleMax;

    @Option(
            names = "--restart-max",
            defaultValue = "PT120S",
            description = "failover: bound on '<cluster-script> start <node>'.")
    Duration restartMax;

    /** Why the options cannot run, or {@code null}. */
    String problem() {
        if (kills < 1 || kills > KILLS_MAX) {
            return "--kills must be 1.." + KILLS_MAX;
        }
        for (Duration d : new Duration[] {maxDuration, attemptTimeout, failoverMax, settleMax, restartMax}) {
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(6)) > 0) {
                return "failover durations must be in (0, 6 h], got " + d;
            }
        }
        return null;
    }
}
