package io.sinkron.nodes.storage.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// The RaftLogStore contract, run once per implementation (subclasses supply the store): Raft's storage rules (§5.3
// truncation, §7 snapshots), hard state, shard isolation, idempotency, limits and all-or-nothing persists, checked by
// persisting through the SPI and reading back with load.
abstract class RaftLogStoreContractTest {

    static final ClusterConfig CONFIG = ClusterConfig.ofVoters(Set.of(1, 2, 3));
    static final SnapshotMeta BOOTSTRAP = SnapshotMeta.bootstrap(CONFIG);
    /** Bound on waiting for a stage, so a hung store fails the test instead of the build. */
    static final long WAIT_SECONDS = 60;

    RaftLogStore store;

    /** A fresh, empty store (for PostgreSQL: over empty tables) with these limits. */
    protected abstract RaftLogStore newStore(PersistLimits limits);

    @BeforeEach
    void openStore() {
        store = newStore(PersistLimits.DEFAULT);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void emptyShardLoadsBootstrap() {
        PersistentState state = load(store, 7);

        assertThat(state.hardState()).isEqualTo(HardState.initial());
        assertThat(state.snapshot()).isEqualTo(Snapshot.bootstrap(BOOTSTRAP));
        assertThat(state.entries()).isEmpty();
    }

    @Test
    void appendThenLoadReturnsEveryPayloadKind() {
        ClusterConfig joint = new ClusterConfig(Set.of(1, 2, 3, 4), Set.of(9));
        List<LogEntry> entries = List.of(
                new LogEntry(1, 1, new EntryPayload.Noop()),
                command(1, 2),
                new LogEntry(1, 3, new EntryPayload.Config(joint)),
                new LogEntry(2, 4, new EntryPayload.Command(new byte[0])));

        persist(store, new ShardWrite(1, null, entries, new HardState(2, 3)));

        PersistentState state = load(store, 1);
        assertThat(state.entries()).containsExactlyElementsOf(entries);
        assertThat(state.hardState()).isEqualTo(new HardState(2, 3));
        assertThat(state.snapshot()).isEqualTo(Snapshot.bootstrap(BOOTSTRAP));
    }

    @Test
    void appendingContinuesTheLog() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 3), null));
        persist(store, new ShardWrite(1, null, commands(1, 4, 6), null));

        assertThat(load(store, 1).entries()).containsExactlyElementsOf(commands(1, 1, 6));
    }

    @Test
    void conflictingSuffixIsTruncated() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 5), new HardState(1, 1)));

        // Raft §5.3: a new leader of term 2 overwrites indexes 3.. ; the old entry 5 must not survive.
        persist(store, new ShardWrite(1, null, commands(2, 3, 4), new HardState(2, 2)));

        List<LogEntry> expected = new ArrayList<>(commands(1, 1, 2));
        expected.addAll(commands(2, 3, 4));
        assertThat(load(store, 1).entries()).containsExactlyElementsOf(expected);
    }

    @Test
    void appendSpanningSeveralStatementsKeepsOrder() {
        List<LogEntry> many = commands(1, 1, 3 * 1024 + 17);

        persist(store, new ShardWrite(1, null, many, null));

        assertThat(load(store, 1).entries()).containsExactlyElementsOf(many);
    }

    @Test
    void snapshotDropsCoveredEntriesAndKeepsLaterOnesWhenTermsMatch() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 10), null));
        Snapshot snapshot = snapshot(6, 1, new ClusterConfig(Set.of(1, 2), Set.of(5)), "state at 6");

        persist(store, new ShardWrite(1, snapshot, List.of(), null));

        PersistentState state = load(store, 1);
        assertThat(state.snapshot()).isEqualTo(snapshot);
        assertThat(state.entries()).containsExactlyElementsOf(commands(1, 7, 10));
    }

    @Test
    void snapshotWithMismatchingTermDropsAllEntries() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 10), null));
        Snapshot snapshot = snapshot(6, 2, CONFIG, "leader's state at 6");

        persist(store, new ShardWrite(1, snapshot, List.of(), null));

        PersistentState state = load(store, 1);
        assertThat(state.snapshot()).isEqualTo(snapshot);
        assertThat(state.entries()).isEmpty();
    }

    @Test
    void snapshotBeyondTheLogDropsAllEntriesAndTakesEntriesAfterIt() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 4), null));
        Snapshot snapshot = snapshot(20, 3, CONFIG, "installed");

        persist(store, new ShardWrite(1, snapshot, commands(3, 21, 23), new HardState(3, HardState.NONE)));

        PersistentState state = load(store, 1);
        assertThat(state.snapshot()).isEqualTo(snapshot);
        assertThat(state.entries()).containsExactlyElementsOf(commands(3, 21, 23));
        assertThat(state.hardState()).isEqualTo(new HardState(3, HardState.NONE));
    }

    @Test
    void laterSnapshotReplacesEarlierOne() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 10), null));
        persist(store, new ShardWrite(1, snapshot(4, 1, CONFIG, "at 4"), List.of(), null));
        Snapshot later = snapshot(8, 1, CONFIG, "at 8");

        persist(store, new ShardWrite(1, later, List.of(), null));

        PersistentState state = load(store, 1);
        assertThat(state.snapshot()).isEqualTo(later);
        assertThat(state.entries()).containsExactlyElementsOf(commands(1, 9, 10));
    }

    @Test
    void hardStateIsReplaced() {
        persist(store, new ShardWrite(1, null, List.of(), new HardState(1, 2)));
        persist(store, new ShardWrite(1, null, List.of(), new HardState(5, HardState.NONE)));

        assertThat(load(store, 1).hardState()).isEqualTo(new HardState(5, HardState.NONE));
    }

    @Test
    void manyShardsInOnePersistAreIsolated() {
        List<ShardWrite> writes = new ArrayList<>();
        for (int shard = 0; shard < 8; shard++) {
            writes.add(new ShardWrite(shard, null, commands(shard + 1, 1, shard + 1), new HardState(shard + 1, shard)));
        }

        persist(store, writes.toArray(ShardWrite[]::new));
        persist(store, new ShardWrite(3, snapshot(2, 4, CONFIG, "shard 3"), List.of(), null));

        for (int shard = 0; shard < 8; shard++) {
            PersistentState state = load(store, shard);
            assertThat(state.hardState()).isEqualTo(new HardState(shard + 1, shard));
            if (shard == 3) {
                assertThat(state.entries()).containsExactlyElementsOf(commands(4, 3, 4));
            } else {
                assertThat(state.entries()).containsExactlyElementsOf(commands(shard + 1, 1, shard + 1));
                assertThat(state.snapshot()).isEqualTo(Snapshot.bootstrap(BOOTSTRAP));
            }
        }
        assertThat(load(store, 8).entries()).as("untouched shard").isEmpty();
    }

    @Test
    void rePersistingTheSameWriteIsIdempotent() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 10), null));
        ShardWrite write = new ShardWrite(1, snapshot(5, 1, CONFIG, "at 5"), commands(2, 9, 12), new HardState(2, 1));

        persist(store, write);
        PersistentState once = load(store, 1);
        persist(store, write);

        PersistentState twice = load(store, 1);
        assertThat(twice).isEqualTo(once);
        List<LogEntry> expected = new ArrayList<>(commands(1, 6, 8));
        expected.addAll(commands(2, 9, 12));
        assertThat(twice.entries()).containsExactlyElementsOf(expected);
    }

    @Test
    void persistBeyondALimitIsRefusedAndChangesNothing() {
        RaftLogStore limited = newStore(new PersistLimits(2, 4, 4096));
        try {
            persist(limited, new ShardWrite(1, null, commands(1, 1, 2), new HardState(1, 1)));
            PersistentState before = load(limited, 1);

            ShardWrite small = new ShardWrite(1, null, commands(1, 3, 3), new HardState(2, 2));
            assertRefused(limited, IllegalArgumentException.class, small, small, small);
            assertRefused(
                    limited, IllegalArgumentException.class, small, new ShardWrite(2, null, commands(1, 1, 4), null));
            byte[] big = new byte[4097];
            assertRefused(
                    limited,
                    IllegalArgumentException.class,
                    new ShardWrite(1, null, List.of(new LogEntry(1, 3, new EntryPayload.Command(big))), null));
            assertRefused(
                    limited,
                    IllegalArgumentException.class,
                    new ShardWrite(1, new Snapshot(new SnapshotMeta(2, 1, CONFIG), big), List.of(), null));

            assertThat(load(limited, 1)).isEqualTo(before);
            assertThat(load(limited, 2).entries()).isEmpty();
        } finally {
            limited.close();
        }
    }

    @Test
    void entriesOfOneWriteMustBeConsecutive() {
        List<LogEntry> gap = List.of(command(1, 1), command(1, 3));

        assertRefused(store, IllegalArgumentException.class, new ShardWrite(1, null, gap, null));

        assertThat(load(store, 1).entries()).isEmpty();
    }

    @Test
    void failingPersistChangesNothing() {
        persist(store, new ShardWrite(1, null, commands(1, 1, 3), new HardState(1, 1)));
        persist(store, new ShardWrite(2, null, commands(1, 1, 3), new HardState(1, 1)));
        PersistentState shard1 = load(store, 1);
        PersistentState shard2 = load(store, 2);

        // The first write is fine; the second would leave a gap after index 3 (a driver bug), so the whole call fails.
        assertRefused(
                store,
                IllegalStateException.class,
                new ShardWrite(1, snapshot(2, 1, CONFIG, "s"), commands(1, 4, 6), new HardState(3, 3)),
                new ShardWrite(2, null, commands(1, 5, 6), new HardState(3, 3)));

        assertThat(load(store, 1)).isEqualTo(shard1);
        assertThat(load(store, 2)).isEqualTo(shard2);
    }

    @Test
    void entriesInsideTheSnapshotAreRefused() {
        persist(store, new ShardWrite(1, snapshot(5, 1, CONFIG, "at 5"), List.of(), null));

        assertRefused(store, IllegalStateException.class, new ShardWrite(1, null, commands(1, 5, 6), null));

        assertThat(load(store, 1).entries()).isEmpty();
    }

    @Test
    void concurrentPersistsForDifferentShardsDoNotInterfere() throws Exception {
        int shards = 8;
        int rounds = 20;
        ExecutorService drivers = Executors.newFixedThreadPool(4, runnable -> new Thread(runnable, "contract-driver"));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int shard = 0; shard < shards; shard++) {
                int id = shard;
                done.add(drivers.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        long first = round * 5L + 1;
                        persist(
                                store,
                                new ShardWrite(
                                        id, null, commands(id + 1, first, first + 4), new HardState(id + 1, round)));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            drivers.shutdownNow();
        }
        for (int shard = 0; shard < shards; shard++) {
            PersistentState state = load(store, shard);
            assertThat(state.entries()).containsExactlyElementsOf(commands(shard + 1, 1, rounds * 5L));
            assertThat(state.hardState()).isEqualTo(new HardState(shard + 1, rounds - 1));
        }
    }

    // ---- helpers ----

    static LogEntry command(long term, long index) {
        return new LogEntry(
                term, index, new EntryPayload.Command(("t" + term + "i" + index).getBytes(StandardCharsets.UTF_8)));
    }

    /** Commands of one term with indexes {@code first..last}, inclusive. */
    static List<LogEntry> commands(long term, long first, long last) {
        List<LogEntry> entries = new ArrayList<>();
        for (long index = first; index <= last; index++) {
            entries.add(command(term, index));
        }
        return entries;
    }

    static Snapshot snapshot(long index, long term, ClusterConfig config, String data) {
        return new Snapshot(new SnapshotMeta(index, term, config), data.getBytes(StandardCharsets.UTF_8));
    }

    static void persist(RaftLogStore target, ShardWrite... writes) {
        join(target.persist(List.of(writes)));
    }

    static PersistentState load(RaftLogStore target, int shard) {
        return join(target.load(shard, BOOTSTRAP));
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("stage failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("stage did not complete: " + e, e);
        }
    }

    static void assertRefused(RaftLogStore target, Class<? extends Throwable> type, ShardWrite... writes) {
        Throwable failure;
        try {
            target.persist(List.of(writes)).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            failure = null;
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (Exception e) {
            throw new AssertionError("persist did not complete: " + e, e);
        }
        assertThat(failure).as("persist of %s", List.of(writes)).isInstanceOf(type);
    }
}
