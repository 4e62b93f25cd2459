package io.sinkron.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

// Proves the lock-name choice of the lock-cycle scenario: distinct gives every worker its own lock, contended one
// shared lock; the wire names are what --names accepts and what the report shows.
class LockCycleScenarioTest {

    @Test
    void distinctGivesEveryWorkerItsOwnLock() {
        assertThat(IntStream.range(0, 64).mapToObj(LockCycleScenario.Names.DISTINCT::lockFor))
                .doesNotHaveDuplicates()
                .contains("bench/w0", "bench/w63");
    }

    @Test
    void contendedGivesEveryWorkerTheSameLock() {
        assertThat(IntStream.range(0, 64).mapToObj(LockCycleScenario.Names.CONTENDED::lockFor))
                .containsOnly("bench/hot");
    }

    @Test
    void reportNameCarriesTheChoice() {
        assertThat(new LockCycleScenario(LockCycleScenario.Names.CONTENDED).name())
                .isEqualTo("lock-cycle/contended");
        assertThat(LockCycleScenario.Names.DISTINCT.wire()).isEqualTo("distinct");
    }
}
