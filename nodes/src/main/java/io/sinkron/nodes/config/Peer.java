package io.sinkron.nodes.config;

import java.net.URI;
import java.util.Objects;

/**
 * One member of the static membership.
 *
 * @param id the node id, e.g. {@code n2}
 * @param url the member's base HTTP URL without a trailing slash, e.g. {@code http://127.0.0.1:8082}
 */
public record Peer(String id, URI url) {

    public Peer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
    }

    /** The URL of one of the member's endpoints, e.g. {@code endpoint("/q/health/live")}. */
    public String endpoint(String path) {
        return url + path;
    }
}
