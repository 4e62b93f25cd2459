package io.sinkron.nodes.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.sinkron.api.problem.Problem;
import io.sinkron.api.problem.ProblemType;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error a REST resource raises leaves the node as {@code application/problem+json} with a stable type URI
 * (RFC 9457). Expected outcomes keep their status; anything unexpected is our bug: logged with its stack trace and
 * answered 500 without internals.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
        return respond(
                Problem.of(ProblemType.MALFORMED_REQUEST, "unknown field '" + e.getPropertyName() + "'", instance(uri))
                        .with("field", e.getPropertyName()));
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return respond(Problem.of(
                ProblemType.MALFORMED_REQUEST,
                "the body does not have the expected shape: " + summary(e),
                instance(uri)));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e, UriInfo uri) {
        return respond(
                Problem.of(ProblemType.MALFORMED_REQUEST, "the body is not valid JSON: " + summary(e), instance(uri)));
    }

    /**
     * Quarkus REST rethrows this one unwrapped and by default answers it 500 with no body. While reading a request it
     * is the body's fault (e.g. a record given a field twice, if the parser let it through): 400. While writing an
     * answer it is ours.
     */
    @ServerExceptionMapper
    public Response invalidDefinition(InvalidDefinitionException e, UriInfo uri) {
        if (!whileReading(e)) {
            return unexpected(e, uri);
        }
        LOG.debugf(e, "request %s: body refused", uri.getPath());
        return respond(Problem.of(
                ProblemType.MALFORMED_REQUEST,
                "the body does not have the expected shape: " + summary(e),
                instance(uri)));
    }

    /** Whether Jackson raised {@code e} while parsing (a request body) rather than while generating (an answer). */
    static boolean whileReading(InvalidDefinitionException e) {
        return e.getProcessor() instanceof JsonParser;
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        // Quarkus REST wraps a body Jackson cannot parse in a plain 400; say what was wrong with it.
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidDefinitionException definition) {
                return invalidDefinition(definition, uri);
            }
            if (cause instanceof UnrecognizedPropertyException unknown) {
                return unknownField(unknown, uri);
            }
            if (cause instanceof MismatchedInputException mismatch) {
                return mismatchedInput(mismatch, uri);
            }
            if (cause instanceof JsonProcessingException json) {
                return malformedJson(json, uri);
            }
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf(e, "request %s failed", uri.getPath());
        }
        ProblemType kind = ProblemType.forStatus(status);
        String detail = status == 404 ? "no resource at " + uri.getRequestUri().getRawPath() : e.getMessage();
        Problem problem = Problem.of(kind, detail, instance(uri));
        if (problem.status() != status) {
            problem = new Problem(kind.type(), kind.title(), status, detail, instance(uri), problem.extensions());
        }
        return respond(problem);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.errorf(e, "request %s failed unexpectedly", uri.getPath());
        return respond(Problem.of(
                ProblemType.INTERNAL_ERROR, "unexpected error on the node; it is logged there", instance(uri)));
    }

    static Response respond(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }

    private static URI instance(UriInfo uri) {
        return URI.create(uri.getRequestUri().getRawPath());
    }

    /** Jackson's original message without the source excerpt and location lines. */
    private static String summary(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        return message.lines().findFirst().orElse(message).strip();
    }
}
