package io.sinkron.nodes.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a request body over {@code quarkus.http.limits.max-body-size} (STYLE.md rule 12) with 413 {@code
 * payload-too-large} as {@code application/problem+json}, where Quarkus' own check answers a bare 413. It runs just
 * before that check and judges by {@code Content-Length}; the body is never read, so an HTTP/1.1 connection closes
 * after the answer, as with Quarkus' check. A chunked body (no length) still meets Quarkus' check while it is read,
 * which answers a bare 413.
 */
@ApplicationScoped
public class BodyLimit {

    private final long bodyBytesMax;

    BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize bodyBytesMax) {
        this.bodyBytesMax = bodyBytesMax.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::check);
    }

    private void check(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || !tooLong(length.strip())) {
            context.next();
            return;
        }
        Problem problem = Problem.of(
                        ProblemType.PAYLOAD_TOO_LARGE,
                        "the body has " + length.strip() + " bytes; at most " + bodyBytesMax + " are accepted",
                        instance(context.request().path()))
                .with("limitBytes", bodyBytesMax);
        HttpServerResponse response = context.response()
                .setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (context.request().version() != HttpVersion.HTTP_2) {
            // HTTP/1.1 would read the unread body as the next request; HTTP/2 has no such header and ends the stream.
            response.putHeader(HttpHeaders.CONNECTION, "close")
                    .endHandler(done -> context.request().connection().close());
        }
        response.end(Json.encode(problem));
    }

    private static URI instance(String path) {
        try {
            return path == null ? null : new URI(null, null, path, null);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private boolean tooLong(String length) {
        try {
            return Long.parseLong(length) > bodyBytesMax;
        } catch (NumberFormatException e) {
            return false; // not a length: the HTTP codec refuses it
        }
    }
}
