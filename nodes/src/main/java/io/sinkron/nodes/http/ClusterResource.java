package io.sinkron.nodes.http;

import io.sinkron.api.cluster.ClusterView;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.membership.Membership;
import io.sinkron.nodes.raft.RaftHost;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /v1/cluster}: how this node sees the cluster. */
@Path("/v1/cluster")
@Tag(name = "cluster", description = "Membership and shards as one node sees them")
public class ClusterResource {

    private final NodeSettings settings;
    private final Membership membership;
    private final RaftHost raft;

    ClusterResource(NodeSettings settings, Membership membership, RaftHost raft) {
        this.settings = settings;
        this.membership = membership;
        this.raft = raft;
    }

    /** Reads in-memory state only (the Raft driver's last published view, no locks), so it stays on the event loop. */
    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "This node's view of the cluster",
            description = "Every member of the static membership with whether it answered its latest liveness probe,"
                    + " and its phi-accrual suspicion; every shard this node replicates with its leader, term, commit"
                    + " index, applied index and members.")
    public ClusterView cluster() {
        return new ClusterView(settings.selfId(), membership.view(), raft.view().shardViews());
    }
}
