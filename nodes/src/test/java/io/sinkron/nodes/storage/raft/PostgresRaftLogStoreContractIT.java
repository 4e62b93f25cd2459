package io.sinkron.nodes.storage.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.HardState;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Runs the RaftLogStore contract against PostgresRaftLogStore on a real embedded PostgreSQL (the node's own server
// component and Flyway migrations, fsync on), through the reactive client; tables are emptied before each test. Also
// proves the read-side invariant check: rows damaged behind the store's back make load fail loudly.
class PostgresRaftLogStoreContractIT extends RaftLogStoreContractTest {

    private static EmbeddedRaftDatabase database;

    @BeforeAll
    static void startDatabase() throws Exception {
        database = new EmbeddedRaftDatabase(4);
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void emptyTables() throws Exception {
        database.truncate();
    }

    @Override
    protected RaftLogStore newStore(PersistLimits limits) {
        return new PostgresRaftLogStore(database.pool(), limits);
    }

    @Test
    void loadFailsLoudlyOnAGapInTheStoredLog() throws Exception {
        persist(store, new ShardWrite(1, null, commands(1, 1, 5), new HardState(1, 1)));
        database.execute("DELETE FROM raft_entry WHERE shard = 1 AND idx = 3");

        Throwable failure = null;
        try {
            store.load(1, BOOTSTRAP).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failure = e.getCause();
        }

        assertThat(failure)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stored log broken at index 4");
        assertThat(load(store, 2).entries()).as("other shards still load").isEqualTo(List.of());
    }
}
