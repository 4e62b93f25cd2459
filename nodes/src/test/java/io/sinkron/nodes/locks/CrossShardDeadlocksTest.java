package io.sinkron.nodes.locks;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.nodes.lock.CycleStep;
import io.sinkron.nodes.lock.WaitEdge;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the cross-shard cycle search: a cycle is found whatever edge the search starts from, reported once in a
// canonical rotation with its youngest waiter as the victim; chains and shared waits are not cycles; the edge wire form
// round-trips.
class CrossShardDeadlocksTest {

    @Test
    void aTwoSessionCycleIsFoundOnceWithTheYoungestWaiterAsVictim() {
        List<WaitEdge> edges = List.of(new WaitEdge(7, "b/y", 3, 1_000), new WaitEdge(3, "a/x", 7, 2_000));
        Map<List<CycleStep>, WaitEdge> cycles = CrossShardDeadlocks.cycles(edges);
        assertThat(cycles).hasSize(1);
        assertThat(cycles.keySet().iterator().next()).containsExactly(new CycleStep(3, "a/x"), new CycleStep(7, "b/y"));
        assertThat(cycles.values().iterator().next().waiter()).isEqualTo(3);
    }

    @Test
    void aThreeSessionCycleBehindAChainIsFound() {
        List<WaitEdge> edges = List.of(
                new WaitEdge(1, "p", 2, 10),
                new WaitEdge(2, "q", 3, 30),
                new WaitEdge(3, "r", 4, 20),
                new WaitEdge(4, "s", 2, 40));
        Map<List<CycleStep>, WaitEdge> cycles = CrossShardDeadlocks.cycles(edges);
        assertThat(cycles).hasSize(1);
        assertThat(cycles.keySet().iterator().next())
                .containsExactly(new CycleStep(2, "q"), new CycleStep(3, "r"), new CycleStep(4, "s"));
        assertThat(cycles.values().iterator().next().waiter()).isEqualTo(4);
    }

    @Test
    void chainsAndSharedWaitsAreNoCycles() {
        List<WaitEdge> edges =
                List.of(new WaitEdge(1, "p", 2, 10), new WaitEdge(3, "p", 2, 20), new WaitEdge(2, "q", 4, 30));
        assertThat(CrossShardDeadlocks.cycles(edges)).isEmpty();
        assertThat(CrossShardDeadlocks.cycles(List.of())).isEmpty();
    }

    @Test
    void edgesRoundTrip() {
        List<WaitEdge> edges = List.of(new WaitEdge(1, "orders/42", 2, 10), new WaitEdge(Long.MAX_VALUE, "ü", 5, 0));
        assertThat(CrossShardDeadlocks.decode(CrossShardDeadlocks.encode(edges)))
                .isEqualTo(edges);
    }
}
