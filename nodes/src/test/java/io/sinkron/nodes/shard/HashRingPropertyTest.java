package io.sinkron.nodes.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.UniqueElements;

// Proves the ring's consistency properties over random memberships and keys: a joining member takes keys only for
// itself, a leaving member gives away only its own keys, successors are distinct with the owner first, and placement
// does not depend on the order members were listed in.
class HashRingPropertyTest {

    @Property(tries = 50)
    void joiningMemberOnlyTakesKeysForItself(
            @ForAll @Size(min = 1, max = 6) @UniqueElements List<@StringLength(min = 1, max = 8) String> members,
            @ForAll @StringLength(min = 1, max = 8) String joining) {
        if (members.contains(joining)) {
            return;
        }
        HashRing before = HashRing.of(members, 20);
        HashRing after = before.with(joining);
        for (String key : keys(500)) {
            String was = before.ownerOf(key);
            String now = after.ownerOf(key);
            assertThat(now.equals(was) || now.equals(joining))
                    .as("key %s moved from %s to %s", key, was, now)
                    .isTrue();
        }
    }

    @Property(tries = 50)
    void leavingMemberOnlyGivesAwayItsOwnKeys(
            @ForAll @Size(min = 2, max = 6) @UniqueElements List<@StringLength(min = 1, max = 8) String> members,
            @ForAll @IntRange(min = 0, max = 5) int leaverIndex) {
        String leaver = members.get(leaverIndex % members.size());
        HashRing before = HashRing.of(members, 20);
        HashRing after = before.without(leaver);
        for (String key : keys(500)) {
            String was = before.ownerOf(key);
            if (!was.equals(leaver)) {
                assertThat(after.ownerOf(key)).isEqualTo(was);
            }
        }
    }

    @Property(tries = 50)
    void successorsAreDistinctOwnerFirstAndOrderIndependent(
            @ForAll @Size(min = 1, max = 6) @UniqueElements List<@StringLength(min = 1, max = 8) String> members,
            @ForAll @StringLength(min = 1, max = 20) String key,
            @ForAll @IntRange(min = 1, max = 8) int count) {
        HashRing ring = HashRing.of(members, 20);
        List<String> successors = ring.successorsOf(key, count);
        assertThat(successors).hasSize(Math.min(count, members.size())).doesNotHaveDuplicates();
        assertThat(successors.getFirst()).isEqualTo(ring.ownerOf(key));
        assertThat(HashRing.of(members.reversed(), 20).successorsOf(key, count)).isEqualTo(successors);
    }

    @Property(tries = 5)
    void oneHundredFiftyVirtualNodesBalanceThreeMembers(@ForAll @IntRange(min = 0, max = 1000) int salt) {
        HashRing ring = HashRing.of(List.of("n1", "n2", "n3"));
        Map<String, Integer> owned = new HashMap<>();
        List<String> keys =
                IntStream.range(0, 30_000).mapToObj(i -> salt + "/k" + i).toList();
        keys.forEach(k -> owned.merge(ring.ownerOf(k), 1, Integer::sum));
        // Each member's expected share is 1/3; 150 points per member keeps every share within 20% of it.
        owned.values().forEach(n -> assertThat(n / 30_000.0).isBetween(0.8 / 3, 1.2 / 3));
    }

    private static List<String> keys(int n) {
        return IntStream.range(0, n).mapToObj(i -> "lock/" + i).toList();
    }
}
