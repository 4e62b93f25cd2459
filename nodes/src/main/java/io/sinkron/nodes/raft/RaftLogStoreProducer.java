package io.sinkron.nodes.raft;

import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.SinkronConfig;
import io.sinkron.nodes.storage.raft.PersistLimits;
import io.sinkron.nodes.storage.raft.RaftLogStore;
import io.sinkron.nodes.storage.raft.RaftLogStores;
import io.vertx.sqlclient.Pool;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * The node's durable Raft store, as {@code sinkron.raft.log} chooses: segment files in {@code <data-dir>/raft-log}
 * (default; docs/raft-log.md) or the node's PostgreSQL. Created at start-up (it may wait for the disk and PostgreSQL
 * there); a data directory keeps the kind it was created with ({@link RaftLogStores}). The driver splits its group
 * commits to fit {@link #LIMITS}.
 */
final class RaftLogStoreProducer {

    /** What one persist call may carry. */
    static final PersistLimits LIMITS = PersistLimits.DEFAULT;

    /** Directory of the segmented log inside the node's data directory. */
    static final String LOG_DIRECTORY = "raft-log";

    @Produces
    @Singleton
    RaftLogStore store(Pool pool, NodeSettings node, SinkronConfig config) {
        RaftSettings raft = RaftSettings.from(config);
        Path directory = node.dataDir().resolve(LOG_DIRECTORY);
        return switch (raft.log()) {
            case SEGMENTED -> RaftLogStores.segmented(directory, pool, LIMITS, raft.logSegmentBytes());
            case POSTGRES -> RaftLogStores.postgres(directory, pool, LIMITS);
        };
    }

    void close(@Disposes RaftLogStore store) {
        store.close();
    }
}
