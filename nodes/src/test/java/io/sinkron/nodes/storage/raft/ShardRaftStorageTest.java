package io.sinkron.nodes.storage.raft;

import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.BOOTSTRAP;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.commands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.schemas.raft.SnapshotMeta;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

// Proves the blocking per-shard adapter over a RaftLogStore: it round-trips through the in-memory store, touches only
// its shard, turns a failed or never-completing stage into IOException, and refuses to block a Vert.x event loop.
class ShardRaftStorageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void persistsAndLoadsOneShard() throws Exception {
        MemoryRaftLogStore store = new MemoryRaftLogStore(PersistLimits.DEFAULT);
        ShardRaftStorage shard2 = new ShardRaftStorage(store, 2, BOOTSTRAP, WAIT);

        shard2.persist(null, commands(1, 1, 3), new HardState(1, 2));
        shard2.persist(null, List.of(), null);

        PersistentState state = shard2.load();
        assertThat(state.entries()).containsExactlyElementsOf(commands(1, 1, 3));
        assertThat(state.hardState()).isEqualTo(new HardState(1, 2));
        assertThat(new ShardRaftStorage(store, 3, BOOTSTRAP, WAIT).load().entries())
                .isEmpty();
    }

    @Test
    void failedPersistBecomesIOException() {
        ShardRaftStorage storage =
                new ShardRaftStorage(new MemoryRaftLogStore(PersistLimits.DEFAULT), 1, BOOTSTRAP, WAIT);

        assertThatThrownBy(() -> storage.persist(null, commands(1, 5, 6), null))
                .isInstanceOf(IOException.class)
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("do not fit");
    }

    @Test
    void stageThatNeverCompletesBecomesIOException() {
        ShardRaftStorage storage = new ShardRaftStorage(new NeverStore(), 1, BOOTSTRAP, Duration.ofMillis(10));

        assertThatThrownBy(storage::load).isInstanceOf(IOException.class).hasMessageContaining("did not complete");
    }

    @Test
    void refusesToBlockAnEventLoop() throws Exception {
        ShardRaftStorage storage =
                new ShardRaftStorage(new MemoryRaftLogStore(PersistLimits.DEFAULT), 1, BOOTSTRAP, WAIT);
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            vertx.runOnContext(ignored -> {
                try {
                    storage.load();
                    thrown.complete(null);
                } catch (Throwable e) {
                    thrown.complete(e);
                }
            });
            assertThat(thrown.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("event-loop");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** A store whose stages never complete, standing in for a hung database. */
    private static final class NeverStore implements RaftLogStore {
        @Override
        public CompletionStage<PersistentState> load(int shard, SnapshotMeta bootstrap) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletionStage<Void> persist(List<ShardWrite> writes) {
            return new CompletableFuture<>();
        }

        @Override
        public void close() {}
    }
}
