package io.sinkron.nodes.storage.raft;

import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.BOOTSTRAP;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.CONFIG;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.commands;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.join;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.Snapshot;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

// Proves that what PostgresRaftLogStore acknowledged survives a crash of PostgreSQL itself: acknowledged persists,
// then one more in flight, then SIGKILL of the postmaster and its backends; after crash recovery on the same data
// directory every acknowledged entry, snapshot and vote loads back, and the in-flight persist is all or nothing.
class PostgresRaftLogStoreCrashIT {

    private static final int SHARDS = 4;
    private static final int ROUNDS = 40;
    private static final int ENTRIES_PER_WRITE = 10;

    @Test
    void acknowledgedWritesSurviveSigkillOfPostgres() throws Exception {
        try (EmbeddedRaftDatabase database = new EmbeddedRaftDatabase(4)) {
            PostgresRaftLogStore before = new PostgresRaftLogStore(database.pool(), PersistLimits.DEFAULT);
            for (int round = 0; round < ROUNDS; round++) {
                join(before.persist(roundWrites(round)));
            }
            Snapshot snapshot = snapshot(100, 1, CONFIG, "shard 0 up to 100");
            join(before.persist(List.of(new ShardWrite(0, snapshot, List.of(), null))));
            // Not awaited: the crash may hit it anywhere between send and COMMIT.
            CompletionStage<Void> inFlight = before.persist(roundWrites(ROUNDS));

            database.crash();
            database.restart();

            assertThat(Files.readString(database.serverLog()))
                    .as("PostgreSQL ran crash recovery")
                    .contains("not properly shut down");
            PostgresRaftLogStore after = new PostgresRaftLogStore(database.pool(), PersistLimits.DEFAULT);
            long acknowledgedLast = (long) ROUNDS * ENTRIES_PER_WRITE;
            PersistentState shard0 = join(after.load(0, BOOTSTRAP));
            assertThat(shard0.snapshot()).isEqualTo(snapshot);
            assertThat(shard0.entries().subList(0, (int) (acknowledgedLast - 100)))
                    .containsExactlyElementsOf(commands(1, 101, acknowledgedLast));
            boolean inFlightDurable = shard0.entries().size() > acknowledgedLast - 100;
            for (int shard = 1; shard < SHARDS; shard++) {
                PersistentState state = join(after.load(shard, BOOTSTRAP));
                long last = inFlightDurable ? acknowledgedLast + ENTRIES_PER_WRITE : acknowledgedLast;
                assertThat(state.entries())
                        .as("shard %d: acknowledged entries, plus the in-flight ones only if all of them", shard)
                        .containsExactlyElementsOf(commands(1, 1, last));
                int round = inFlightDurable ? ROUNDS : ROUNDS - 1;
                assertThat(state.hardState()).isEqualTo(new HardState(1, round % 3));
            }
            if (inFlight.toCompletableFuture().isDone()
                    && !inFlight.toCompletableFuture().isCompletedExceptionally()) {
                assertThat(inFlightDurable)
                        .as("an acknowledged persist is durable")
                        .isTrue();
            }
            after.close();
        }
    }

    /** Round {@code round}: entries {@code round*10+1 .. round*10+10} of term 1 and a vote, for every shard. */
    private static List<ShardWrite> roundWrites(int round) {
        List<ShardWrite> writes = new ArrayList<>();
        long first = (long) round * ENTRIES_PER_WRITE + 1;
        for (int shard = 0; shard < SHARDS; shard++) {
            writes.add(new ShardWrite(
                    shard, null, commands(1, first, first + ENTRIES_PER_WRITE - 1), new HardState(1, round % 3)));
        }
        return writes;
    }
}
