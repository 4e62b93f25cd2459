package io.sinkron.nodes.storage.raft;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens a node's Raft log of either kind, refusing to open one kind while the other holds the node's log.
 *
 * <p>Why refuse: opening an empty log while the other store holds this node's votes and acknowledged entries would
 * make the node forget them, and a node that forgets what it voted for or acknowledged breaks Raft's safety. A data
 * directory therefore keeps the kind of log it was created with.
 *
 * <p>Both methods wait for PostgreSQL or the disk: call them at start-up, never on an event loop.
 */
public final class RaftLogStores {

    private static final long CHECK_SECONDS = 30;

    private RaftLogStores() {}

    /**
     * The segmented log in {@code directory}.
     *
     * @throws IllegalStateException when {@code directory} holds no segment but PostgreSQL's Raft tables hold rows
     */
    public static RaftLogStore segmented(Path directory, Pool pool, PersistLimits limits, long segmentBytesMax) {
        if (!SegmentedRaftLogStore.holdsSegments(directory) && postgresHoldsLog(pool)) {
            throw new IllegalStateException("sinkron.raft.log=segmented, but this node's PostgreSQL holds its Raft log"
                    + " (written with sinkron.raft.log=postgres or by an older version) and " + directory
                    + " holds none: start with sinkron.raft.log=postgres, or on a fresh data directory");
        }
        return SegmentedRaftLogStore.open(directory, limits, segmentBytesMax);
    }

    /**
     * The log in PostgreSQL's Raft tables.
     *
     * @throws IllegalStateException when {@code segmentDirectory} holds segments of a segmented log
     */
    public static RaftLogStore postgres(Path segmentDirectory, Pool pool, PersistLimits limits) {
        if (SegmentedRaftLogStore.holdsSegments(segmentDirectory)) {
            throw new IllegalStateException("sinkron.raft.log=postgres, but " + segmentDirectory
                    + " holds this node's Raft log: start with sinkron.raft.log=segmented");
        }
        return new PostgresRaftLogStore(pool, limits);
    }

    /** Whether any of the Raft tables holds a row. */
    static boolean postgresHoldsLog(Pool pool) {
        String sql = "SELECT EXISTS (SELECT 1 FROM raft_hard_state) OR EXISTS (SELECT 1 FROM raft_entry)"
                + " OR EXISTS (SELECT 1 FROM raft_snapshot)";
        try {
            Row row = pool.query(sql)
                    .execute()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(CHECK_SECONDS, TimeUnit.SECONDS)
                    .iterator()
                    .next();
            return row.getBoolean(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking PostgreSQL for a Raft log", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not check PostgreSQL for a Raft log: " + e, e);
        }
    }
}
