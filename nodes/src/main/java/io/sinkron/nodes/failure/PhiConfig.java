package io.sinkron.nodes.failure;

/**
 * Tuning of the phi-accrual detector; defaults follow Akka's (threshold 8, 1000 samples, 100 ms minimum deviation),
 * scaled to Sinkron's faster heartbeats.
 *
 * @param threshold phi at or above which a peer is suspected
 * @param windowSize inter-arrival samples kept
 * @param minStdDeviationMillis floor of the deviation used, so regular heartbeats do not make phi explode on jitter
 * @param acceptablePauseMillis extra silence tolerated on top of the mean (GC pauses, scheduling hiccups)
 * @param firstHeartbeatEstimateMillis the interval assumed before real samples exist
 */
public record PhiConfig(
        double threshold,
        int windowSize,
        long minStdDeviationMillis,
        long acceptablePauseMillis,
        long firstHeartbeatEstimateMillis) {

    /** Akka's statistics with heartbeats every ~100-200 ms: a silent peer is suspected after roughly 1 s. */
    public static final PhiConfig DEFAULT = new PhiConfig(8.0, 1000, 100, 500, 200);

    public PhiConfig {
        if (!(threshold > 0) || windowSize < 2 || minStdDeviationMillis <= 0 || acceptablePauseMillis < 0) {
            throw new IllegalArgumentException("invalid phi settings: " + threshold + ", " + windowSize + ", "
                    + minStdDeviationMillis + ", " + acceptablePauseMillis);
        }
        if (firstHeartbeatEstimateMillis <= 0) {
            throw new IllegalArgumentException("firstHeartbeatEstimateMillis must be positive");
        }
    }
}
