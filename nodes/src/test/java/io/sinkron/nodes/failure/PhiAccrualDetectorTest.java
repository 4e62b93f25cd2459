package io.sinkron.nodes.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

// Proves the detector's behaviour on synthetic heartbeat times (no clock): low suspicion while heartbeats are
// regular, suspicion past the threshold after a long silence, monotonic growth, and the pause allowance.
class PhiAccrualDetectorTest {

    private static PhiAccrualDetector regular(PhiConfig config, long intervalMillis, int beats) {
        PhiAccrualDetector detector = new PhiAccrualDetector(config);
        for (int i = 0; i < beats; i++) {
            detector.heartbeat(i * intervalMillis);
        }
        return detector;
    }

    @Test
    void nothingIsSuspectedBeforeTheFirstHeartbeat() {
        PhiAccrualDetector detector = new PhiAccrualDetector(PhiConfig.DEFAULT);
        assertThat(detector.phi(1_000_000)).isZero();
        assertThat(detector.isAvailable(1_000_000)).isTrue();
    }

    @Test
    void regularHeartbeatsKeepPhiLowAndSilenceRaisesItPastTheThreshold() {
        PhiAccrualDetector detector = regular(PhiConfig.DEFAULT, 100, 50);
        long last = 49 * 100;
        assertThat(detector.phi(last + 100)).isLessThan(1.0);
        assertThat(detector.isAvailable(last + 300)).isTrue();
        assertThat(detector.isAvailable(last + 3_000)).isFalse();
        assertThat(detector.phi(last + 3_000)).isGreaterThanOrEqualTo(8.0);
    }

    @Test
    void phiGrowsWithSilence() {
        PhiAccrualDetector detector = regular(PhiConfig.DEFAULT, 100, 50);
        double previous = -1;
        for (long t = 4_900; t < 8_000; t += 25) {
            double phi = detector.phi(t);
            assertThat(phi).isGreaterThanOrEqualTo(previous).isFinite();
            previous = phi;
        }
    }

    @Test
    void acceptablePauseDelaysSuspicion() {
        PhiConfig strict = new PhiConfig(8.0, 1000, 100, 0, 100);
        PhiConfig lenient = new PhiConfig(8.0, 1000, 100, 1_000, 100);
        long last = 49 * 100;
        assertThat(regular(lenient, 100, 50).phi(last + 800))
                .isLessThan(regular(strict, 100, 50).phi(last + 800));
        assertThat(regular(strict, 100, 50).isAvailable(last + 800)).isFalse();
        assertThat(regular(lenient, 100, 50).isAvailable(last + 800)).isTrue();
    }

    @Test
    void heartbeatGoingBackwardsIsRefused() {
        PhiAccrualDetector detector = regular(PhiConfig.DEFAULT, 100, 3);
        assertThatThrownBy(() -> detector.heartbeat(50)).isInstanceOf(IllegalArgumentException.class);
    }
}
