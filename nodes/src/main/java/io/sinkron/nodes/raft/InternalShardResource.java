package io.sinkron.nodes.raft;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The node-to-node side of {@link ShardRouter}: proposes a command here, if this node leads the shard. Answers 200
 * with the state machine's reply bytes, 421 when this node does not lead the shard (the caller looks again), 503 when
 * the proposal was not made (safe to send again), 504 when it was made but not answered in time (it may still apply). Not part of the public API: callers are other nodes.
 */
@Path(ShardRouter.INTERNAL_PATH + "{shard}/propose")
@Tag(name = "internal", description = "Node-to-node calls; not for clients")
public class InternalShardResource {

    /** Largest command accepted, the largest any service builds plus room. */
    static final int COMMAND_BYTES_MAX = 1 << 20;

    private final RaftHost raft;

    InternalShardResource(RaftHost raft) {
        this.raft = raft;
    }

    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Proposes a command on this node, which must lead the shard (node-to-node)")
    public Uni<Response> propose(@PathParam("shard") int shard, byte[] command) {
        if (command == null || command.length == 0 || command.length > COMMAND_BYTES_MAX) {
            return Uni.createFrom().item(Response.status(400).build());
        }
        return Uni.createFrom()
                .completionStage(() -> raft.propose(shard, command))
                .map(reply -> switch (reply) {
                    case RaftReply.Done done ->
                        Response.ok(done.result(), MediaType.APPLICATION_OCTET_STREAM)
                                .build();
                    case RaftReply.NotLeader notLeader -> Response.status(421).build();
                    // 503: not proposed, send again; 504: proposed but not answered in time, it may still apply.
                    case RaftReply.Unavailable unavailable ->
                        Response.status(unavailable.retrySafe() ? 503 : 504).build();
                });
    }
}
