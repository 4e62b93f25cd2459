package io.sinkron.nodes.http;

import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A body sent to an endpoint that reads JSON must say so ({@code Content-Type: application/json}, docs/api.md): a body
 * without a type is answered 415 {@code unsupported-media-type}, as one of another type is, instead of being read as
 * JSON anyway. A request without a body needs no type (e.g. {@code POST /v1/sessions} with the default ttl).
 */
public class JsonBodies {

    @ServerRequestFilter
    public Optional<Response> requireType(ContainerRequestContext request, ResourceInfo resource) {
        if (request.getHeaderString(HttpHeaders.CONTENT_TYPE) != null || !hasBody(request) || !readsJson(resource)) {
            return Optional.empty();
        }
        URI instance = URI.create(request.getUriInfo().getRequestUri().getRawPath());
        return Optional.of(ProblemMappers.respond(Problem.of(
                ProblemType.UNSUPPORTED_MEDIA_TYPE,
                "the body has no Content-Type; send it as " + MediaType.APPLICATION_JSON,
                instance)));
    }

    private static boolean hasBody(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        return request.getHeaderString("Transfer-Encoding") != null
                || (length != null && !length.strip().equals("0"));
    }

    private static boolean readsJson(ResourceInfo resource) {
        if (resource == null || resource.getResourceMethod() == null) {
            return false;
        }
        Consumes consumes = resource.getResourceMethod().getAnnotation(Consumes.class);
        if (consumes == null && resource.getResourceClass() != null) {
            consumes = resource.getResourceClass().getAnnotation(Consumes.class);
        }
        return consumes != null
                && Arrays.stream(consumes.value())
                        .map(MediaType::valueOf)
                        .anyMatch(type -> type.getType().equalsIgnoreCase("application")
                                && type.getSubtype().equalsIgnoreCase("json"));
    }
}
