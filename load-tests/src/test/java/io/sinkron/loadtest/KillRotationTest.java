package io.sinkron.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the kill rotation: never the node killed last, otherwise the least-killed node in membership order, so a
// run with the preferred leader available every round kills each node in turn; entry nodes are never the leader.
class KillRotationTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3");

    @Test
    void firstRoundPrefersTheFirstNode() {
        assertThat(KillRotation.preferred(NODES, Map.of(), null)).hasValue("n1");
    }

    @Test
    void skipsTheNodeKilledLastEvenIfItWasKilledLeast() {
        assertThat(KillRotation.preferred(NODES, Map.of("n2", 3, "n3", 2, "n1", 1), "n1"))
                .hasValue("n3");
    }

    @Test
    void followingThePreferenceKillsEachNodeInTurn() {
        Map<String, Integer> kills = new HashMap<>();
        String last = null;
        StringBuilder order = new StringBuilder();
        for (int round = 0; round < 6; round++) {
            last = KillRotation.preferred(NODES, kills, last).orElseThrow();
            kills.merge(last, 1, Integer::sum);
            order.append(last).append(' ');
        }
        assertThat(order.toString().strip()).isEqualTo("n1 n2 n3 n1 n2 n3");
    }

    @Test
    void aLoneNodeKilledLastLeavesNoPreference() {
        assertThat(KillRotation.preferred(List.of("n1"), Map.of(), "n1")).isEmpty();
    }

    @Test
    void entryIsAnotherNodeAlternatingByRound() {
        assertThat(KillRotation.entry(NODES, "n2", 0)).isEqualTo("n1");
        assertThat(KillRotation.entry(NODES, "n2", 1)).isEqualTo("n3");
        assertThat(KillRotation.entry(NODES, "n1", 7)).isEqualTo("n3");
        assertThatThrownBy(() -> KillRotation.entry(List.of("n1"), "n1", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
