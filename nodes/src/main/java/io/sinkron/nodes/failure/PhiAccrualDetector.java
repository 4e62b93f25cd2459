package io.sinkron.nodes.failure;

/**
 * The phi-accrual failure detector of Hayashibara, Défago, Yared and Katayama (2004) for one peer. Instead of a
 * yes/no verdict it reports phi = -log10(P(a heartbeat arrives later than now)), given the distribution of past
 * inter-arrival times; phi 1 means a 10% chance the peer is still fine, phi 8 means 10^-8.
 *
 * <p>Inter-arrival times are modelled as normal with the window's mean and standard deviation (floored at {@link
 * PhiConfig#minStdDeviationMillis()} so a perfectly regular sender does not make the detector hair-triggered), the
 * mean raised by {@link PhiConfig#acceptablePauseMillis()} to tolerate GC pauses. The tail probability uses a logistic
 * approximation of the normal CDF (error ~10^-4), computed in log space so it stays finite.
 *
 * <p>Pure: the caller passes the time of every heartbeat and query. Not thread-safe; one owner thread per detector.
 */
public final class PhiAccrualDetector {

    private final PhiConfig config;
    private final IntervalWindow intervals;
    private long lastHeartbeatMillis = -1;

    public PhiAccrualDetector(PhiConfig config) {
        this.config = config;
        this.intervals = new IntervalWindow(config.windowSize());
        // Seed the window with the expected interval so the first verdicts have a distribution to work from.
        long first = config.firstHeartbeatEstimateMillis();
        intervals.add(first - first / 4);
        intervals.add(first + first / 4);
    }

    /** Records a heartbeat received at {@code nowMillis} (any monotonic millisecond clock). */
    public void heartbeat(long nowMillis) {
        if (lastHeartbeatMillis >= 0) {
            long interval = nowMillis - lastHeartbeatMillis;
            if (interval < 0) {
                throw new IllegalArgumentException("heartbeat time went backwards: " + interval + " ms");
            }
            intervals.add(interval);
        }
        lastHeartbeatMillis = nowMillis;
    }

    /** Suspicion at {@code nowMillis}: 0 before the first heartbeat (nothing to suspect yet), growing with silence. */
    public double phi(long nowMillis) {
        if (lastHeartbeatMillis < 0) {
            return 0.0;
        }
        double elapsed = nowMillis - lastHeartbeatMillis;
        double mean = intervals.mean() + config.acceptablePauseMillis();
        double stdDeviation = Math.max(intervals.standardDeviation(), config.minStdDeviationMillis());
        return phi(elapsed, mean, stdDeviation);
    }

    /** Whether the peer counts as alive at {@code nowMillis}: phi below the threshold. */
    public boolean isAvailable(long nowMillis) {
        return phi(nowMillis) < config.threshold();
    }

    /** Milliseconds since the last heartbeat, or -1 before the first. */
    public long sinceLastHeartbeatMillis(long nowMillis) {
        return lastHeartbeatMillis < 0 ? -1 : nowMillis - lastHeartbeatMillis;
    }

    static double phi(double elapsed, double mean, double stdDeviation) {
        double y = (elapsed - mean) / stdDeviation;
        // Logistic approximation of the standard normal CDF (Bowling et al. 2009): P(X > y) ~ 1 / (1 + exp(z)).
        double z = y * (1.5976 + 0.070566 * y * y);
        // -log10(1 / (1 + exp(z))) = log1p(exp(z)) / ln 10, evaluated so that neither branch can overflow: a long
        // silence must give a large finite phi, not infinity.
        double negLogTail = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
        return negLogTail / Math.log(10);
    }
}
