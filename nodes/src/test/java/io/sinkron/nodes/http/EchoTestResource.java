package io.sinkron.nodes.http;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Endpoints that exist only in tests, so the problem mapping of bodies and of bugs can be exercised. */
@Path("/test/echo")
public class EchoTestResource {

    /** A request body with one field. */
    public record Greeting(String name) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Greeting echo(Greeting greeting) {
        return greeting;
    }

    /** Fails the way a bug would. */
    @GET
    @Path("bug")
    public String bug() {
        throw new IllegalStateException("invariant broken: secret internals");
    }
}
