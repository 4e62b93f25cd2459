package io.sinkron.api.problem;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An RFC 9457 problem detail, the body of every Sinkron error response ({@value #MEDIA_TYPE}).
 *
 * <p>On the wire the extension members sit next to the standard ones, as the RFC asks; {@link #extensions()} holds
 * them here. Clients decide what to do by {@link #type()}, which is stable per error (see {@link ProblemType}); the
 * {@code retryable} extension says whether the same request may be sent again unchanged.
 *
 * @param type a URI that identifies the kind of problem, e.g. {@code https://sinkron.io/problems/not-found}
 * @param title a short human summary of the kind of problem; the same for every occurrence of {@code type}
 * @param status the HTTP status code of the response
 * @param detail what went wrong this time, for a human; may be {@code null}
 * @param instance the request path (or another URI) of this occurrence; may be {@code null}
 * @param extensions further members, keyed by name; never one of the standard member names
 */
public record Problem(URI type, String title, int status, String detail, URI instance, Map<String, Object> extensions) {

    /** The media type of a problem body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private static final Set<String> STANDARD_MEMBERS = Set.of("type", "title", "status", "detail", "instance");

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status code, was " + status);
        }
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
        for (String name : extensions.keySet()) {
            if (STANDARD_MEMBERS.contains(name)) {
                throw new IllegalArgumentException("extension member '" + name + "' would hide the standard one");
            }
        }
    }

    /** A problem of a catalogued type, with its title, status and {@code retryable} member. */
    public static Problem of(ProblemType kind, String detail, URI instance) {
        return new Problem(
                kind.type(), kind.title(), kind.status(), detail, instance, Map.of("retryable", kind.retryable()));
    }

    /** A copy with one more extension member. */
    public Problem with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(name, value);
        return new Problem(type, title, status, detail, instance, more);
    }

    /** The JSON object: standard members first, then the extensions; absent optional members are left out. */
    @JsonValue
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", type.toString());
        json.put("title", title);
        json.put("status", status);
        if (detail != null) {
            json.put("detail", detail);
        }
        if (instance != null) {
            json.put("instance", instance.toString());
        }
        json.putAll(extensions);
        return json;
    }

    /** Reads a problem body; RFC 9457 §3.1 says a missing {@code type} means {@code about:blank}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Problem fromJson(Map<String, Object> json) {
        Object type = json.getOrDefault("type", "about:blank");
        Object title = json.getOrDefault("title", "");
        Object status = json.get("status");
        Object detail = json.get("detail");
        Object instance = json.get("instance");
        Map<String, Object> extensions = new LinkedHashMap<>(json);
        extensions.keySet().removeAll(STANDARD_MEMBERS);
        return new Problem(
                URI.create(type.toString()),
                title.toString(),
                status instanceof Number n ? n.intValue() : 500,
                detail == null ? null : detail.toString(),
                instance == null ? null : URI.create(instance.toString()),
                extensions);
    }
}
