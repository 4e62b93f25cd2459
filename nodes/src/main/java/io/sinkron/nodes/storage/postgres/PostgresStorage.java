package io.sinkron.nodes.storage.postgres;

import io.sinkron.nodes.config.InvalidConfigurationException;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.PostgresUrl;
import io.sinkron.nodes.config.StorageSettings;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The node's PostgreSQL as a whole: started (embedded) or found (external), reachable, migrated and claimed for
 * this node. Blocking; driven by the node's start-up and shutdown, not by requests.
 */
@Singleton
public class PostgresStorage {

    private static final Logger LOG = Logger.getLogger(PostgresStorage.class);

    private final NodeSettings settings;
    private final String reactiveUrl;
    private EmbeddedPostgresServer embedded;
    private volatile Migrations.Outcome outcome;

    PostgresStorage(
            NodeSettings settings, @ConfigProperty(name = "quarkus.datasource.reactive.url") String reactiveUrl) {
        this.settings = settings;
        this.reactiveUrl = reactiveUrl;
    }

    /**
     * Starts the embedded server (if configured), waits until the server accepts connections, and migrates.
     * On failure, whatever was started is stopped again before the exception leaves.
     *
     * @throws StorageStartException with a one-line reason when any step fails
     */
    public synchronized void start() {
        if (outcome != null) {
            throw new IllegalStateException("storage already started");
        }
        requireSameServerAsReactivePool();
        try {
            PostgresUrl url =
                    switch (settings.storage()) {
                        case StorageSettings.Embedded e -> {
                            embedded = EmbeddedPostgresServer.start(e.directory(), e.port(), e.connectTimeout());
                            yield embedded.url();
                        }
                        case StorageSettings.External x -> {
                            LOG.infof("using the PostgreSQL server at %s", x.url());
                            yield x.url();
                        }
                    };
            PostgresJdbc.awaitReachable(url, settings.storage().connectTimeout());
            outcome = Migrations.migrate(PostgresJdbc.dataSource(url), settings.selfId());
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /**
     * Start-up migrates through JDBC at the server the {@code sinkron.postgres.*} settings select, while requests use
     * the reactive pool configured by {@code quarkus.datasource.reactive.url}, which application.properties derives
     * from the same settings. Someone who sets the Quarkus property directly would split the two; refuse that.
     */
    private void requireSameServerAsReactivePool() {
        PostgresUrl expected =
                switch (settings.storage()) {
                    case StorageSettings.Embedded e ->
                        new PostgresUrl("127.0.0.1", e.port(), "postgres", "postgres", null, null);
                    case StorageSettings.External x -> x.url();
                };
        String property = "quarkus.datasource.reactive.url";
        PostgresUrl pool = PostgresUrl.parse(property, reactiveUrl.replaceFirst("^vertx-reactive:", ""));
        if (!pool.host().equals(expected.host())
                || pool.port() != expected.port()
                || !pool.database().equals(expected.database())) {
            throw new InvalidConfigurationException(property + " (" + pool + ") does not point at the server that"
                    + " sinkron.postgres.* selects (" + expected + "); set sinkron.postgres.url instead");
        }
    }

    /** What migrating found, once {@link #start()} returned. */
    public Migrations.Outcome outcome() {
        Migrations.Outcome done = outcome;
        if (done == null) {
            throw new IllegalStateException("storage not started");
        }
        return done;
    }

    /** Stops the embedded server, if one was started. Idempotent. */
    public synchronized void stop() {
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
    }
}
