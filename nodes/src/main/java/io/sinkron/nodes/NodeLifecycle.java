package io.sinkron.nodes;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sinkron.nodes.config.InvalidConfigurationException;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.membership.MembershipProber;
import io.sinkron.nodes.storage.postgres.PostgresStorage;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The order in which a node comes up and goes down, in one place. Start-up runs on the main thread (Quarkus fires
 * {@link StartupEvent} there), so its blocking steps (embedded PostgreSQL, JDBC, Flyway) never touch an event loop.
 *
 * <p>Up: validated settings, then storage (embedded start, reachability, migrations), then membership probing, then
 * ready. Down: the reverse.
 */
@Singleton
final class NodeLifecycle {

    private static final Logger LOG = Logger.getLogger(NodeLifecycle.class);

    private final NodeSettings settings;
    private final PostgresStorage storage;
    private final MembershipProber prober;
    private final String httpHost;
    private final int httpPort;
    private volatile boolean started;

    NodeLifecycle(
            NodeSettings settings,
            PostgresStorage storage,
            MembershipProber prober,
            @ConfigProperty(name = "quarkus.http.host") String httpHost,
            @ConfigProperty(name = "quarkus.http.port") int httpPort) {
        this.settings = settings;
        this.storage = storage;
        this.prober = prober;
        this.httpHost = httpHost;
        this.httpPort = httpPort;
    }

    // Before every other start-up observer: nothing else may touch the database until it is up and migrated.
    void onStart(@Observes @Priority(1) StartupEvent event) {
        long begin = System.nanoTime();
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            requireHttpPortFree();
        }
        storage.start();
        prober.start();
        started = true;
        LOG.infof(
                "node %s started in %d ms: %d members, data in %s",
                settings.selfId(),
                (System.nanoTime() - begin) / 1_000_000,
                settings.peers().size(),
                settings.dataDir());
    }

    void onStop(@Observes ShutdownEvent event) {
        started = false;
        prober.stop();
        storage.stop();
    }

    /**
     * Quarkus opens the HTTP port after start-up observers ran, so a busy port would only be found after the embedded
     * PostgreSQL was started for nothing, and Vert.x then logs the failed server's teardown. Checking first fails fast
     * with one clear line. (Tests use a random port, so only a normal launch checks.)
     */
    private void requireHttpPortFree() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(httpHost, httpPort));
        } catch (IOException e) {
            throw new InvalidConfigurationException("HTTP port " + httpPort + " on " + httpHost
                    + " is already in use; choose another with quarkus.http.port (" + e.getMessage() + ")");
        }
    }

    /** Whether start-up completed and shutdown has not begun. */
    boolean started() {
        return started;
    }
}
