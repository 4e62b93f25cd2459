package io.sinkron.nodes.storage.raft;

import io.sinkron.nodes.TestFiles;
import io.sinkron.nodes.TestPorts;
import io.sinkron.nodes.config.PostgresUrl;
import io.sinkron.nodes.storage.postgres.EmbeddedPostgresServer;
import io.sinkron.nodes.storage.postgres.Migrations;
import io.sinkron.nodes.storage.postgres.PostgresJdbc;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: the node's own embedded PostgreSQL (fsync on) on a temporary directory and a free port, migrated by
 * the node's Flyway scripts, with a reactive pool on its own Vert.x. Can crash the server (SIGKILL of the postmaster
 * and its backends) and start it again on the same directory. Blocking; test threads only.
 */
final class EmbeddedRaftDatabase implements AutoCloseable {

    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final Path root;
    private final Path dataDir;
    private final int port;
    private final int poolSize;
    private final Vertx vertx = Vertx.vertx();
    private EmbeddedPostgresServer server;
    private Pool pool;

    EmbeddedRaftDatabase(int poolSize) throws Exception {
        this.root = Files.createTempDirectory("sinkron-raft-pg-");
        this.dataDir = root.resolve("pg");
        this.port = TestPorts.free();
        this.poolSize = poolSize;
        start();
        Migrations.migrate(PostgresJdbc.dataSource(server.url()), "raft-log-it");
    }

    Pool pool() {
        return pool;
    }

    /** The embedded server's log (the sibling of its data directory). */
    Path serverLog() {
        return root.resolve("postgres.log");
    }

    void truncate() throws SQLException {
        execute("TRUNCATE raft_hard_state, raft_entry, raft_snapshot");
    }

    /** Runs SQL behind the store's back, over JDBC (e.g. to damage the stored log). */
    void execute(String sql) throws SQLException {
        try (Connection connection = PostgresJdbc.dataSource(server.url()).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * Kills the postmaster and every backend with SIGKILL (no shutdown checkpoint, no flush: what a power cut leaves
     * apart from the OS page cache), then closes the pool.
     */
    void crash() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.US_ASCII)
                .getFirst()
                .strip());
        ProcessHandle postmaster =
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        // The postmaster first, so it cannot fork replacements for the backends killed next.
        all.addFirst(postmaster);
        for (ProcessHandle process : all) {
            process.destroyForcibly();
        }
        for (ProcessHandle process : all) {
            process.onExit().get(30, TimeUnit.SECONDS);
        }
        closePool();
        // Releases the embedded server's lock on the directory; its "stop" finds nothing to stop.
        server.close();
        server = null;
    }

    /** Starts the server again on the same directory and port; PostgreSQL runs crash recovery from its WAL. */
    void restart() {
        if (server != null) {
            closePool();
            server.close();
        }
        start();
    }

    private void start() {
        server = EmbeddedPostgresServer.start(dataDir, port, STARTUP_WAIT);
        PostgresUrl url = server.url();
        PgConnectOptions options = new PgConnectOptions()
                .setHost(url.host())
                .setPort(url.port())
                .setDatabase(url.database())
                .setUser(url.user());
        pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(poolSize))
                .connectingTo(options)
                .using(vertx)
                .build();
    }

    private void closePool() {
        if (pool != null) {
            pool.close().toCompletionStage().toCompletableFuture().join();
            pool = null;
        }
    }

    @Override
    public void close() throws Exception {
        closePool();
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        TestFiles.deleteTree(root);
    }
}
