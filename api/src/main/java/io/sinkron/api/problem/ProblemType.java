package io.sinkron.api.problem;

import java.net.URI;
import java.util.Optional;

/**
 * The catalogue of problem types a Sinkron node answers with. A type URI never changes meaning once published; new
 * kinds of error get new entries.
 */
public enum ProblemType {
    /** No resource at this path, or the named thing does not exist. */
    NOT_FOUND("not-found", "Not Found", 404, false),
    /** The path exists but not with this HTTP method. */
    METHOD_NOT_ALLOWED("method-not-allowed", "Method Not Allowed", 405, false),
    /** The resource cannot produce any media type the client accepts. */
    NOT_ACCEPTABLE("not-acceptable", "Not Acceptable", 406, false),
    /** The request body's media type is not one the resource reads. */
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported Media Type", 415, false),
    /** The request body is not well-formed JSON, or does not have the expected shape (e.g. an unknown field). */
    MALFORMED_REQUEST("malformed-request", "Malformed Request", 400, false),
    /** The request is well-formed but a value is not acceptable. */
    INVALID_REQUEST("invalid-request", "Invalid Request", 400, false),
    /** The node cannot serve the request now (e.g. storage unreachable); the same request may succeed later. */
    UNAVAILABLE("unavailable", "Service Unavailable", 503, true),
    /** A bug on the node. Whether the request took effect is unknown. */
    INTERNAL_ERROR("internal-error", "Internal Server Error", 500, false),
    /** No leader could be found for the name's shard within the node's retry budget; an election is running. */
    NO_LEADER("no-leader", "No Leader", 503, true),
    /** A body over its limit ({@code limitBytes} says which). */
    PAYLOAD_TOO_LARGE("payload-too-large", "Payload Too Large", 413, false),
    /** The lock session expired, was closed or never existed. */
    SESSION_NOT_FOUND("session-not-found", "Session Not Found", 404, false),
    /** The lock was not granted: held, in its lock-delay, or the wait ran out. */
    LOCK_TIMEOUT("lock-timeout", "Lock Not Granted", 409, true),
    /** Waiting would close a cycle in the wait-for graph; {@code cycle} lists it. */
    DEADLOCK("deadlock", "Deadlock", 409, false),
    /** The session does not hold the lock. */
    NOT_HOLDER("not-holder", "Not The Holder", 409, false),
    /** The session holds the lock under another (newer) fencing token. */
    WRONG_TOKEN("wrong-token", "Wrong Fencing Token", 409, false),
    /** The client's sequence is older than its latest applied one. */
    STALE_SEQUENCE("stale-sequence", "Stale Sequence", 409, false),
    /** A service limit (sessions, locks, waiters per lock, locks per session) is reached. */
    LIMIT_REACHED("limit-reached", "Limit Reached", 429, true);

    /** The types a bare HTTP status maps to: the protocol-level ones, never a service's own. */
    private static final java.util.Set<ProblemType> BY_STATUS = java.util.EnumSet.of(
            NOT_FOUND,
            METHOD_NOT_ALLOWED,
            NOT_ACCEPTABLE,
            UNSUPPORTED_MEDIA_TYPE,
            MALFORMED_REQUEST,
            UNAVAILABLE,
            INTERNAL_ERROR,
            PAYLOAD_TOO_LARGE);

    /** Every type URI is this prefix followed by the slug. */
    public static final String TYPE_PREFIX = "https://sinkron.io/problems/";

    private final String slug;
    private final String title;
    private final int status;
    private final boolean retryable;

    ProblemType(String slug, String title, int status, boolean retryable) {
        this.slug = slug;
        this.title = title;
        this.status = status;
        this.retryable = retryable;
    }

    /** The last segment of the type URI, e.g. {@code not-found}. */
    public String slug() {
        return slug;
    }

    /** The stable type URI, e.g. {@code https://sinkron.io/problems/not-found}. */
    public URI type() {
        return URI.create(TYPE_PREFIX + slug);
    }

    /** The RFC 9457 title shared by every occurrence. */
    public String title() {
        return title;
    }

    /** The HTTP status this kind of problem is answered with. */
    public int status() {
        return status;
    }

    /** Whether sending the same request again unchanged is safe and may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** The catalogued type with this URI, if any. */
    public static Optional<ProblemType> of(URI type) {
        for (ProblemType kind : values()) {
            if (kind.type().equals(type)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The catalogued type a plain HTTP error status maps to; unknown 4xx are invalid requests, 5xx internal. */
    public static ProblemType forStatus(int status) {
        for (ProblemType kind : BY_STATUS) {
            if (kind.status == status) {
                return kind;
            }
        }
        return status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
    }
}
