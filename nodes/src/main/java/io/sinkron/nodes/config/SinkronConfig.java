package io.sinkron.nodes.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything a node is told from outside: system properties ({@code -Dsinkron.node.id=n1}), environment variables
 * ({@code SINKRON_NODE_ID=n1}) or {@code application.properties}. Read once at start-up and turned into a validated
 * {@link NodeSettings}; nothing else reads these raw values.
 */
@ConfigMapping(prefix = "sinkron")
public interface SinkronConfig {

    /** Who this node is and who its peers are. */
    Node node();

    /** Where the node's durable state lives. */
    Postgres postgres();

    /** How peers are watched. */
    Membership membership();

    /** Identity and static membership. */
    interface Node {

        /** This node's id, e.g. {@code n1}; must be one of the ids in {@code sinkron.node.peers}. No default. */
        Optional<String> id();

        /**
         * The static membership, this node included: {@code n1=http://127.0.0.1:8081,n2=http://127.0.0.1:8082}.
         * Default: this node alone, at {@code http://127.0.0.1:<quarkus.http.port>}.
         */
        Optional<String> peers();

        /** The node's own directory (the embedded PostgreSQL lives in {@code <data-dir>/pg}). Default: data/<id>. */
        Optional<String> dataDir();
    }

    /** The PostgreSQL server: an external one by URL, or an embedded one in the data directory. */
    interface Postgres {

        /**
         * An external server, {@code postgresql://user:password@host:port/database}. Default: none, so an embedded
         * PostgreSQL is started in {@code <data-dir>/pg}.
         */
        Optional<String> url();

        /** The port the embedded PostgreSQL listens on, on 127.0.0.1 only; one per node on a machine. */
        @WithDefault("15432")
        int embeddedPort();

        /** How long start-up keeps trying to reach the PostgreSQL server before the node gives up. */
        @WithDefault("10s")
        Duration connectTimeout();
    }

    /** Liveness probing of the peers. */
    interface Membership {

        /** How often every peer's {@code /q/health/live} is probed. */
        @WithDefault("500ms")
        Duration probeInterval();

        /** How long one probe may take before the peer counts as not alive. */
        @WithDefault("1s")
        Duration probeTimeout();
    }
}
