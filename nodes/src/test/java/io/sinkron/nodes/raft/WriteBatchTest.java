package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.nodes.storage.raft.MemoryRaftLogStore;
import io.sinkron.nodes.storage.raft.PersistLimits;
import io.sinkron.nodes.storage.raft.ShardWrite;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// Proves that folding the writes of Readies gathered behind a persist stores exactly what persisting each write in
// order would: checked on the in-memory store for fixed cases and for random sequences of appends, overwrites,
// hard-state changes and snapshots.
class WriteBatchTest {

    private static final SnapshotMeta BOOTSTRAP = SnapshotMeta.bootstrap(ClusterConfig.ofVoters(Set.of(1, 2, 3)));

    @Test
    void consecutiveAppendsOfOneShardBecomeOneWrite() {
        WriteBatch batch = new WriteBatch(PersistLimits.DEFAULT);
        batch.add(write(1, entries(1, 1, 2), null));
        batch.add(write(1, entries(1, 3, 4), new HardState(1, 1)));
        batch.add(write(2, entries(1, 1, 1), null));

        assertThat(batch.writes()).hasSize(2);
        assertThat(batch.writes().getFirst().entries())
                .extracting(LogEntry::index)
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(batch.writes().getFirst().hardState()).isEqualTo(new HardState(1, 1));
        assertThat(batch.entriesAdded()).isEqualTo(5);
    }

    @Test
    void aLaterOverwriteReplacesTheEarlierSuffix() {
        WriteBatch batch = new WriteBatch(PersistLimits.DEFAULT);
        batch.add(write(1, entries(1, 5, 8), new HardState(1, 2)));
        batch.add(write(1, entries(2, 7, 7), new HardState(2, 3)));

        ShardWrite folded = batch.writes().getFirst();
        assertThat(folded.entries()).extracting(e -> e.index() + "@" + e.term()).containsExactly("5@1", "6@1", "7@2");
        assertThat(folded.hardState()).isEqualTo(new HardState(2, 3));
    }

    @Test
    void aFoldNeverGrowsPastWhatOneStoreCallMayCarry() {
        WriteBatch batch = new WriteBatch(new PersistLimits(8, 3, 1L << 20));
        batch.add(write(1, entries(1, 1, 2), null));
        batch.add(write(1, entries(1, 3, 4), null)); // 4 entries folded would pass the limit of 3

        assertThat(batch.writes()).extracting(w -> w.entries().size()).containsExactly(2, 2);
    }

    @Test
    void writesWithASnapshotStayApartAndInOrder() {
        WriteBatch batch = new WriteBatch(PersistLimits.DEFAULT);
        batch.add(write(1, entries(1, 1, 3), null));
        batch.add(new ShardWrite(1, snapshot(2, 1), List.of(), null));
        batch.add(write(1, entries(1, 4, 4), null));

        assertThat(batch.writes()).extracting(w -> w.snapshot() != null).containsExactly(false, true, false);
    }

    @Test
    void foldingStoresWhatWritingEachInOrderStores() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 500; round++) {
            List<ShardWrite> sequence = randomWrites(random);
            MemoryRaftLogStore oneByOne = new MemoryRaftLogStore(PersistLimits.DEFAULT);
            MemoryRaftLogStore folded = new MemoryRaftLogStore(PersistLimits.DEFAULT);
            WriteBatch batch = new WriteBatch(PersistLimits.DEFAULT);
            for (ShardWrite write : sequence) {
                oneByOne.persist(List.of(write)).toCompletableFuture().join();
                batch.add(write);
            }
            folded.persist(batch.writes()).toCompletableFuture().join();

            for (int shard = 0; shard < 2; shard++) {
                assertThat(load(folded, shard))
                        .as("round %d shard %d", round, shard)
                        .isEqualTo(load(oneByOne, shard));
            }
            assertThat(batch.writes().size()).isLessThanOrEqualTo(sequence.size());
        }
    }

    /** Writes a driver could produce: appends after the log, overwrites of a suffix, votes, snapshots inside it. */
    private static List<ShardWrite> randomWrites(SplittableRandom random) {
        List<ShardWrite> writes = new ArrayList<>();
        List<List<Long>> terms = List.of(new ArrayList<>(), new ArrayList<>()); // terms.get(s).get(i): term at i + 1
        long[] snapshotAt = new long[2];
        long term = 1;
        for (int i = 0; i < 12; i++) {
            int shard = random.nextInt(2);
            List<Long> log = terms.get(shard);
            long last = log.size();
            int kind = random.nextInt(10);
            if (kind == 0 && last > snapshotAt[shard]) {
                long at = snapshotAt[shard] + 1 + random.nextLong(last - snapshotAt[shard]);
                // Usually the term of the entry there (the suffix survives), sometimes another (the log is dropped).
                boolean matching = random.nextInt(4) != 0;
                long snapshotTerm = matching ? log.get((int) at - 1) : term + 1;
                writes.add(new ShardWrite(shard, snapshot(at, snapshotTerm), List.of(), null));
                snapshotAt[shard] = at;
                if (!matching) {
                    log.subList((int) at, log.size()).clear();
                    log.set((int) at - 1, snapshotTerm);
                }
                continue;
            }
            if (kind == 1) {
                term++;
                writes.add(write(shard, List.of(), new HardState(term, random.nextInt(3) + 1)));
                continue;
            }
            long from = last > snapshotAt[shard] && random.nextInt(3) == 0
                    ? snapshotAt[shard] + 1 + random.nextLong(last - snapshotAt[shard])
                    : last + 1;
            long to = from + random.nextInt(3);
            log.subList((int) from - 1, log.size()).clear();
            for (long index = from; index <= to; index++) {
                log.add(term);
            }
            writes.add(write(shard, entries(term, from, to), random.nextBoolean() ? null : new HardState(term, 1)));
        }
        return writes;
    }

    private static PersistentState load(MemoryRaftLogStore store, int shard) {
        return store.load(shard, BOOTSTRAP).toCompletableFuture().join();
    }

    private static ShardWrite write(int shard, List<LogEntry> entries, HardState hardState) {
        return new ShardWrite(shard, null, entries, hardState);
    }

    private static List<LogEntry> entries(long term, long from, long to) {
        List<LogEntry> entries = new ArrayList<>();
        for (long index = from; index <= to; index++) {
            byte[] command = ("c" + index + "t" + term).getBytes(StandardCharsets.UTF_8);
            entries.add(new LogEntry(term, index, new EntryPayload.Command(command)));
        }
        return entries;
    }

    private static Snapshot snapshot(long index, long term) {
        SnapshotMeta meta = new SnapshotMeta(index, term, ClusterConfig.ofVoters(Set.of(1, 2, 3)));
        return new Snapshot(meta, ("s" + index).getBytes(StandardCharsets.UTF_8));
    }
}
