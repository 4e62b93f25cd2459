package io.sinkron.nodes.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

// Proves the shard map's promises: a name's shard is fixed and in range, each shard has replicationFactor distinct
// replicas, preferred leaders spread over the members, and adding a member changes only groups it joins.
class ShardMapTest {

    private final ShardMap three = new ShardMap(HashRing.of(List.of("n1", "n2", "n3")), 64, 3);

    @Test
    void nameMapsToOneShardInRange() {
        for (int i = 0; i < 1_000; i++) {
            int shard = three.shardOf("queue-" + i);
            assertThat(shard).isBetween(0, 63).isEqualTo(three.shardOf("queue-" + i));
        }
    }

    @Test
    void withThreeMembersEveryMemberReplicatesEveryShardAndLeadersSpread() {
        Map<String, Integer> preferredLeaders = new HashMap<>();
        for (int s = 0; s < 64; s++) {
            List<String> replicas = three.replicasOf(s);
            assertThat(replicas).containsExactlyInAnyOrder("n1", "n2", "n3");
            preferredLeaders.merge(replicas.getFirst(), 1, Integer::sum);
        }
        assertThat(preferredLeaders).containsOnlyKeys("n1", "n2", "n3");
        preferredLeaders.values().forEach(n -> assertThat(n).isGreaterThanOrEqualTo(10));
    }

    @Test
    void addingAMemberOnlyChangesGroupsItJoins() {
        ShardMap four = new ShardMap(three.ring().with("n4"), 64, 3);
        long moved = IntStream.range(0, 64)
                .filter(s -> !four.replicasOf(s).equals(three.replicasOf(s)))
                .peek(s -> assertThat(four.replicasOf(s)).contains("n4"))
                .count();
        assertThat(moved).isPositive().isLessThan(64);
    }

    @Test
    void refusesOutOfRangeSettings() {
        assertThatThrownBy(() -> new ShardMap(HashRing.of(List.of("n1")), 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> three.replicasOf(64)).isInstanceOf(IllegalArgumentException.class);
    }
}
