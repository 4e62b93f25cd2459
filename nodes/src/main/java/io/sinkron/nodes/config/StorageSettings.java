package io.sinkron.nodes.config;

import java.nio.file.Path;
import java.time.Duration;

/** Where the node's PostgreSQL is: started by the node itself, or an existing server. */
public sealed interface StorageSettings {

    /** How long start-up keeps trying to reach the server. */
    Duration connectTimeout();

    /**
     * A PostgreSQL the node starts from bundled binaries and stops on shutdown.
     *
     * @param directory the cluster's data directory, {@code <data-dir>/pg}; kept across restarts
     * @param port the TCP port on 127.0.0.1
     * @param connectTimeout how long start-up waits for the server to accept connections
     */
    record Embedded(Path directory, int port, Duration connectTimeout) implements StorageSettings {}

    /**
     * A PostgreSQL server someone else runs ({@code sinkron.postgres.url}).
     *
     * @param url where it is and how to log in
     * @param connectTimeout how long start-up keeps trying to reach it
     */
    record External(PostgresUrl url, Duration connectTimeout) implements StorageSettings {}
}
