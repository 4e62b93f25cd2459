package io.sinkron.nodes.http;

import io.sinkron.api.cluster.ClusterView;
import io.sinkron.api.cluster.Placement;
import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.membership.Membership;
import io.sinkron.nodes.raft.RaftHost;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.regex.Pattern;
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

    /** Names of locks, queues and cache keys (DESIGN.md §7). */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,256}");

    /** Reads the ring and the published Raft view only, so it stays on the event loop. */
    @GET
    @Path("placement/{name: .+}")
    @NonBlocking
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(
            summary = "Where a name lives",
            description = "The shard a lock, queue or cache key name hashes to, that shard's replicas (preferred"
                    + " leader first) and the leader this node knows of.")
    public Response placement(@PathParam("name") String name) {
        if (!NAME.matcher(name).matches()) {
            Problem problem = Problem.of(
                    ProblemType.INVALID_REQUEST,
                    "name must be 1-256 of [A-Za-z0-9._:/-]",
                    URI.create("/v1/cluster/placement"));
            return Response.status(problem.status())
                    .type(Problem.MEDIA_TYPE)
                    .entity(problem)
                    .build();
        }
        int shard = raft.shardOf(name);
        return Response.ok(new Placement(
                        name, shard, raft.replicasOf(shard), raft.view().leaderOf(shard)))
                .type(MediaType.APPLICATION_JSON)
                .build();
    }
}
