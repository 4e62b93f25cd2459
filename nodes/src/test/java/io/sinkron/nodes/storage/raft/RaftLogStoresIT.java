package io.sinkron.nodes.storage.raft;

import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.BOOTSTRAP;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.commands;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.HardState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that a data directory keeps its kind of Raft log, on a real embedded PostgreSQL: each kind opens on a fresh
// directory, and each refuses to start while the other kind holds the node's log (which would make the node forget
// its votes and acknowledged entries).
class RaftLogStoresIT {

    private static EmbeddedRaftDatabase database;

    @TempDir
    Path directory;

    @BeforeAll
    static void startDatabase() throws Exception {
        database = new EmbeddedRaftDatabase(2);
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

    @Test
    void segmentedOpensOnAFreshDirectoryAndAgainOnItsOwnLog() {
        try (RaftLogStore store = RaftLogStores.segmented(directory, database.pool(), PersistLimits.DEFAULT, 1 << 20)) {
            join(store.persist(List.of(new ShardWrite(0, null, commands(1, 1, 2), new HardState(1, 1)))));
        }
        try (RaftLogStore store = RaftLogStores.segmented(directory, database.pool(), PersistLimits.DEFAULT, 1 << 20)) {
            assertThat(join(store.load(0, BOOTSTRAP)).entries()).containsExactlyElementsOf(commands(1, 1, 2));
        }
    }

    @Test
    void segmentedRefusesWhilePostgresHoldsTheLog() {
        try (RaftLogStore postgres = RaftLogStores.postgres(directory, database.pool(), PersistLimits.DEFAULT)) {
            join(postgres.persist(List.of(new ShardWrite(3, null, List.of(), new HardState(2, 1)))));
        }

        assertThatThrownBy(() -> RaftLogStores.segmented(directory, database.pool(), PersistLimits.DEFAULT, 1 << 20))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start with sinkron.raft.log=postgres");
        assertThat(SegmentedRaftLogStore.holdsSegments(directory)).isFalse();
    }

    @Test
    void postgresRefusesWhileSegmentsHoldTheLog() {
        try (RaftLogStore store = RaftLogStores.segmented(directory, database.pool(), PersistLimits.DEFAULT, 1 << 20)) {
            join(store.persist(List.of(new ShardWrite(0, null, List.of(), new HardState(1, 1)))));
        }

        assertThatThrownBy(() -> RaftLogStores.postgres(directory, database.pool(), PersistLimits.DEFAULT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start with sinkron.raft.log=segmented");
        assertThat(RaftLogStores.postgresHoldsLog(database.pool())).isFalse();
    }
}
