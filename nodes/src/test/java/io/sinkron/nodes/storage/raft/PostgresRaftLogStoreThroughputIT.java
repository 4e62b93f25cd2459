package io.sinkron.nodes.storage.raft;

import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

// A measurement, not a check of speed: prints the entries/s PostgresRaftLogStore makes durable on embedded PostgreSQL
// (fsync on) for group commits of 1, 16 and 256 entries of 256 bytes over 8 shards, both with one transaction per shard
// (8 drivers in parallel) and with one transaction for all 8 shards. Seconds per run: -Dbench.seconds (default 2).
class PostgresRaftLogStoreThroughputIT {

    private static final int SHARDS = 8;
    private static final int COMMAND_BYTES = 256;
    private static final int[] BATCHES = {1, 16, 256};

    @Test
    void measureGroupCommitThroughput() throws Exception {
        long runMillis = Long.getLong("bench.seconds", 2) * 1000;
        try (EmbeddedRaftDatabase database = new EmbeddedRaftDatabase(SHARDS)) {
            PostgresRaftLogStore store = new PostgresRaftLogStore(database.pool(), PersistLimits.DEFAULT);
            ExecutorService drivers =
                    Executors.newFixedThreadPool(SHARDS, runnable -> new Thread(runnable, "bench-driver"));
            try {
                perShard(store, drivers, 16, runMillis / 2); // warm-up: JIT, prepared statements, pool connections
                List<String> lines = new ArrayList<>();
                for (int batch : BATCHES) {
                    database.truncate();
                    lines.add(line(
                            "one transaction per shard, 8 in parallel",
                            batch,
                            perShard(store, drivers, batch, runMillis),
                            runMillis));
                    database.truncate();
                    lines.add(line(
                            "one transaction for all 8 shards", batch, allShards(store, batch, runMillis), runMillis));
                }
                System.out.println(
                        "PostgreSQL Raft log store, " + COMMAND_BYTES + "-byte commands, " + SHARDS + " shards:");
                lines.forEach(System.out::println);
            } finally {
                drivers.shutdownNow();
                store.close();
            }
        }
    }

    /** Eight drivers, one per shard, each persisting {@code batch} entries per call, one call at a time. */
    private static long perShard(PostgresRaftLogStore store, ExecutorService drivers, int batch, long runMillis)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis);
        AtomicLong entries = new AtomicLong();
        List<Future<?>> done = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            int id = shard;
            done.add(drivers.submit(() -> {
                long next = 1;
                while (System.nanoTime() < deadline) {
                    join(store.persist(List.of(write(id, next, batch))));
                    next += batch;
                    entries.addAndGet(batch);
                }
            }));
        }
        for (Future<?> future : done) {
            future.get(runMillis * 10, TimeUnit.MILLISECONDS);
        }
        return entries.get();
    }

    /** One driver persisting {@code batch} entries for each of the 8 shards per call, one call at a time. */
    private static long allShards(PostgresRaftLogStore store, int batch, long runMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis);
        long next = 1;
        long entries = 0;
        while (System.nanoTime() < deadline) {
            List<ShardWrite> writes = new ArrayList<>();
            for (int shard = 0; shard < SHARDS; shard++) {
                writes.add(write(shard, next, batch));
            }
            join(store.persist(writes));
            next += batch;
            entries += (long) batch * SHARDS;
        }
        assertThat(entries).isPositive();
        return entries;
    }

    private static ShardWrite write(int shard, long first, int batch) {
        List<LogEntry> entries = new ArrayList<>(batch);
        for (long index = first; index < first + batch; index++) {
            byte[] command = new byte[COMMAND_BYTES];
            command[0] = (byte) index;
            entries.add(new LogEntry(1, index, new EntryPayload.Command(command)));
        }
        return new ShardWrite(shard, null, entries, new HardState(1, 1));
    }

    private static String line(String mode, int batch, long entries, long runMillis) {
        double perSecond = entries * 1000.0 / runMillis;
        return String.format(
                Locale.ROOT, "  batch %3d entries/shard, %-42s %9.0f entries/s", batch, mode + ":", perSecond);
    }
}
