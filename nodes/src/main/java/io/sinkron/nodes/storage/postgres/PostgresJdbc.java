package io.sinkron.nodes.storage.postgres;

import io.sinkron.nodes.config.PostgresUrl;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Blocking JDBC access for start-up work only (reachability check, migrations). Request paths use the reactive
 * client; nothing here may run on an event loop.
 */
public final class PostgresJdbc {

    private static final Logger LOG = Logger.getLogger(PostgresJdbc.class);

    /** Seconds one connection attempt may take, so a black-holed address does not eat the whole start-up budget. */
    private static final int CONNECT_ATTEMPT_SECONDS = 2;

    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);

    /** SQL states that retrying cannot fix: bad password or role, missing database. */
    private static final Set<String> PERMANENT_STATES = Set.of("28000", "28P01", "3D000");

    private PostgresJdbc() {}

    /** A non-pooled data source for {@code url}; each {@code getConnection()} opens a fresh connection. */
    public static DataSource dataSource(PostgresUrl url) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(url.jdbcUrl());
        source.setUser(url.user());
        if (url.password() != null) {
            source.setPassword(url.password());
        }
        source.setConnectTimeout(CONNECT_ATTEMPT_SECONDS);
        source.setLoginTimeout(CONNECT_ATTEMPT_SECONDS);
        source.setApplicationName("sinkron-startup");
        return source;
    }

    /**
     * Opens and closes one connection, retrying transient failures (refused, timed out, starting up) until
     * {@code timeout} has passed.
     *
     * @throws StorageStartException when the server cannot be reached in time or refuses the login
     */
    public static void awaitReachable(PostgresUrl url, Duration timeout) {
        DataSource source = dataSource(url);
        long deadline = System.nanoTime() + timeout.toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            try (Connection ignored = source.getConnection()) {
                if (attempts > 1) {
                    LOG.infof("PostgreSQL at %s reachable after %d attempts", url.address(), attempts);
                }
                return;
            } catch (SQLException e) {
                if (PERMANENT_STATES.contains(e.getSQLState())) {
                    throw new StorageStartException("PostgreSQL at " + url + " refused the connection: " + reason(e));
                }
                if (System.nanoTime() + RETRY_PAUSE.toNanos() > deadline) {
                    throw new StorageStartException("PostgreSQL at " + url + " is unreachable after "
                            + timeout.toSeconds() + "s (" + attempts + " attempts): " + reason(e));
                }
                LOG.debugf("PostgreSQL at %s not reachable yet: %s", url.address(), reason(e));
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageStartException("interrupted while waiting for PostgreSQL");
        }
    }

    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
