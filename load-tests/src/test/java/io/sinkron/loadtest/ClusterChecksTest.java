package io.sinkron.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.api.cluster.ClusterView;
import io.sinkron.api.cluster.MemberView;
import io.sinkron.api.cluster.ShardView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the settle, catch-up and balance checks on hand-built cluster views: each way a cluster can be unsettled,
// lagging or unbalanced is named, and a healthy three-node view passes all three.
class ClusterChecksTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3");

    @Test
    void aHealthyClusterIsSettledCaughtUpAndBalanced() {
        Map<String, ClusterView> views = views(true, "n1", 7, 7);

        assertThat(ClusterChecks.unsettled(views, NODES)).isEmpty();
        assertThat(ClusterChecks.lagging(views)).isEmpty();
        assertThat(ClusterChecks.unbalanced(views)).isEmpty();
    }

    @Test
    void aMissingNodeADeadMemberOrAnUnknownLeaderIsUnsettled() {
        Map<String, ClusterView> missing = views(true, "n2", 7, 7);
        missing.remove("n3");

        assertThat(ClusterChecks.unsettled(missing, NODES)).hasValue("n3 did not answer");
        assertThat(ClusterChecks.unsettled(views(false, "n2", 7, 7), NODES)).hasValue("n1 sees n3 as not alive");
        assertThat(ClusterChecks.unsettled(views(true, null, 7, 7), NODES)).hasValue("n1 knows no leader for shard 0");
    }

    @Test
    void nodesNamingDifferentLeadersAreUnsettled() {
        Map<String, ClusterView> views = views(true, "n2", 7, 7);
        views.put("n3", view("n3", true, "n3", 7, 7));

        assertThat(ClusterChecks.unsettled(views, NODES)).get().asString().contains("shard 0 has leader n2 and n3");
    }

    @Test
    void aReplicaBehindTheHighestCommitIndexIsLagging() {
        Map<String, ClusterView> views = views(true, "n2", 7, 7);
        views.put("n1", view("n1", true, "n2", 5, 5));

        assertThat(ClusterChecks.lagging(views)).hasValue("n1 applied shard 0 to 5 of 7");
    }

    @Test
    void aShardLedByANodeOtherThanItsFirstMemberIsUnbalanced() {
        assertThat(ClusterChecks.unbalanced(views(true, "n1", 7, 7))).isEmpty();
        assertThat(ClusterChecks.unbalanced(views(true, "n2", 7, 7)))
                .hasValue("n1 sees shard 0 led by n2, not yet by its preferred leader n1");
    }

    private static Map<String, ClusterView> views(boolean allAlive, String leader, long commit, long applied) {
        Map<String, ClusterView> views = new LinkedHashMap<>();
        for (String node : NODES) {
            views.put(node, view(node, allAlive, leader, commit, applied));
        }
        return views;
    }

    private static ClusterView view(String self, boolean allAlive, String leader, long commit, long applied) {
        List<MemberView> members = NODES.stream()
                .map(n -> new MemberView(n, "http://" + n, allAlive || !n.equals("n3"), 1L, 0.0))
                .toList();
        return new ClusterView(self, members, List.of(new ShardView(0, leader, 3, commit, applied, NODES)));
    }
}
