package io.sinkron.nodes.http;

import io.sinkron.api.cluster.ClusterView;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.membership.Membership;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /v1/cluster}: how this node sees the cluster. */
@Path("/v1/cluster")
@Tag(name = "cluster", description = "Membership and shards as one node sees them")
public class ClusterResource {

    private final NodeSettings settings;
    private final Membership membership;

    ClusterResource(NodeSettings settings, Membership membership) {
        this.settings = settings;
        this.membership = membership;
    }

    /** Reads in-memory state only, so it stays on the event loop. */
    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "This node's view of the cluster",
            description = "Every member of the static membership with whether it answered its latest liveness probe,"
                    + " and the shards this node knows (none yet).")
    public ClusterView cluster() {
        return new ClusterView(settings.selfId(), membership.view(), List.of());
    }
}
