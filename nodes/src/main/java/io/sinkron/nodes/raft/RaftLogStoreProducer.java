package io.sinkron.nodes.raft;

import io.sinkron.nodes.storage.raft.PersistLimits;
import io.sinkron.nodes.storage.raft.PostgresRaftLogStore;
import io.sinkron.nodes.storage.raft.RaftLogStore;
import io.vertx.sqlclient.Pool;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The node's durable Raft store: PostgreSQL through the reactive pool Quarkus configures (the embedded server by
 * default, {@code sinkron.postgres.url} otherwise). The driver splits its group commits to fit {@link #LIMITS}.
 */
final class RaftLogStoreProducer {

    /** What one persist call may carry. */
    static final PersistLimits LIMITS = PersistLimits.DEFAULT;

    @Produces
    @Singleton
    RaftLogStore store(Pool pool) {
        return new PostgresRaftLogStore(pool, LIMITS);
    }

    void close(@Disposes RaftLogStore store) {
        store.close();
    }
}
