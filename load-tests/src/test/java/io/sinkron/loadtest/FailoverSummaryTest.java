package io.sinkron.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

// Proves the failover summary's exact statistics on hand-computed inputs: median of odd and even counts, nearest-rank
// p90 only from ten rounds on, min and max, independent of input order.
class FailoverSummaryTest {

    @Test
    void oddCountTakesTheMiddleValueAndHasNoP90BelowTenRounds() {
        FailoverSummary summary = FailoverSummary.of(List.of(900L, 300L, 500L));

        assertThat(summary.rounds()).isEqualTo(3);
        assertThat(summary.minNanos()).isEqualTo(300);
        assertThat(summary.medianNanos()).isEqualTo(500);
        assertThat(summary.maxNanos()).isEqualTo(900);
        assertThat(summary.p90Nanos()).isEmpty();
        assertThat(summary.line()).contains("p90=- ms");
    }

    @Test
    void evenCountAveragesTheTwoMiddleValues() {
        FailoverSummary summary = FailoverSummary.of(List.of(400L, 100L, 300L, 200L));

        assertThat(summary.medianNanos()).isEqualTo(250);
    }

    @Test
    void p90IsTheNearestRankValueWhateverTheOrder() {
        List<Long> ten = new ArrayList<>(
                LongStream.rangeClosed(1, 10).map(i -> i * 1_000_000).boxed().toList());
        Collections.reverse(ten);
        List<Long> twelve =
                LongStream.rangeClosed(1, 12).map(i -> i * 1_000_000).boxed().toList();

        // ceil(0.9 * 10) = 9th smallest; ceil(0.9 * 12) = 11th smallest.
        assertThat(FailoverSummary.of(ten).p90Nanos()).hasValue(9_000_000);
        assertThat(FailoverSummary.of(twelve).p90Nanos()).hasValue(11_000_000);
        assertThat(FailoverSummary.of(twelve).medianNanos()).isEqualTo(6_500_000);
        assertThat(FailoverSummary.of(twelve).markdownRow()).isEqualTo("| 12 | 1.0 | 6.5 | 11.0 | 12.0 |");
    }

    @Test
    void aSingleRoundIsItsOwnMinMedianAndMax() {
        FailoverSummary summary = FailoverSummary.of(List.of(412_345_678L));

        assertThat(summary.minNanos()).isEqualTo(summary.medianNanos()).isEqualTo(summary.maxNanos());
        assertThat(FailoverSummary.millis(summary.medianNanos())).isEqualTo("412.3");
    }

    @Test
    void noRoundsIsRefused() {
        assertThatThrownBy(() -> FailoverSummary.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
