package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link RaftLogStore} on PostgreSQL through the reactive client (tables from {@code V2__raft_log.sql}).
 *
 * <p><b>Group commit:</b> one {@link #persist} call is one transaction, whatever the number of shards and entries in
 * it. BEGIN, its statements and COMMIT are sent back to back without waiting for each other (the client pipelines
 * them on the one connection, PostgreSQL runs them in order), so a call costs one round trip plus the COMMIT's fsync.
 * The stage completes only after every statement and the COMMIT answered; if any statement failed, PostgreSQL rolled
 * the transaction back (its COMMIT turns into ROLLBACK) and the stage fails; if the connection broke during COMMIT,
 * the outcome is unknown and the stage fails.
 *
 * <p><b>Threading:</b> never blocks; stages complete on the pool's event loop, so callers must not block in their
 * continuations. The pool belongs to the caller: {@link #close()} refuses further calls but does not close it.
 *
 * <p><b>Checks:</b> an append that would leave a gap after the stored log is refused inside the transaction with an
 * {@link IllegalStateException} (our bug; nothing of the call is written), and {@link #load} verifies that the stored
 * entries are contiguous after the snapshot with non-decreasing terms, failing with {@link IllegalStateException}
 * otherwise (STYLE.md rule 9: a paired check before the write and after the read).
 */
public final class PostgresRaftLogStore implements RaftLogStore {

    /** Most entries one INSERT statement carries: keeps each protocol message and server-side array small. */
    static final int INSERT_ENTRIES_MAX = 1024;

    /** Most payload bytes one INSERT statement carries (an entry larger than this goes alone). */
    static final int INSERT_BYTES_MAX = 8 * 1024 * 1024;

    private static final String SELECT_HARD_STATE = "SELECT term, voted_for FROM raft_hard_state WHERE shard = $1";

    private static final String SELECT_SNAPSHOT =
            "SELECT last_index, last_term, config, data FROM raft_snapshot WHERE shard = $1";

    private static final String SELECT_ENTRIES =
            "SELECT idx, term, kind, payload FROM raft_entry WHERE shard = $1 ORDER BY idx";

    // Raft §7: a snapshot replaces the entries it covers; the entries after it survive only if the log agrees with the
    // snapshot at its last index (the entry there, or the stored snapshot ending there, has the same term). Runs
    // before the snapshot row is replaced, so a re-persisted snapshot keeps its suffix (idempotency).
    private static final String DELETE_COVERED =
            """
            DELETE FROM raft_entry WHERE shard = $1 AND (idx <= $2 OR NOT (
                EXISTS (SELECT 1 FROM raft_entry WHERE shard = $1 AND idx = $2 AND term = $3)
                OR EXISTS (SELECT 1 FROM raft_snapshot WHERE shard = $1 AND last_index = $2 AND last_term = $3)
                OR ($2 = 0 AND NOT EXISTS (SELECT 1 FROM raft_snapshot WHERE shard = $1))))""";

    private static final String UPSERT_SNAPSHOT =
            """
            INSERT INTO raft_snapshot (shard, last_index, last_term, config, data) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (shard) DO UPDATE SET last_index = EXCLUDED.last_index, last_term = EXCLUDED.last_term,
                config = EXCLUDED.config, data = EXCLUDED.data""";

    // Raft §5.3: a conflicting suffix is truncated before the new entries are appended.
    private static final String DELETE_SUFFIX = "DELETE FROM raft_entry WHERE shard = $1 AND idx >= $2";

    // Raises SK001 (V3__raft_append_check.sql) unless the entry before the first one is the snapshot's last or a stored
    // entry: a gap aborts the whole transaction, which the pipelined COMMIT then rolls back.
    private static final String REQUIRE_FOLLOWS = "SELECT raft_require_follows($1, $2)";

    /** SQLSTATE of {@link #REQUIRE_FOLLOWS}'s refusal. */
    static final String GAP_SQLSTATE = "SK001";

    private static final String INSERT_ENTRIES =
            """
            INSERT INTO raft_entry (shard, idx, term, kind, payload)
            SELECT $1, e.idx, e.term, e.kind, e.payload
            FROM unnest($2::int8[], $3::int8[], $4::int2[], $5::bytea[]) AS e(idx, term, kind, payload)""";

    private static final String UPSERT_HARD_STATE =
            """
            INSERT INTO raft_hard_state (shard, term, voted_for) VALUES ($1, $2, $3)
            ON CONFLICT (shard) DO UPDATE SET term = EXCLUDED.term, voted_for = EXCLUDED.voted_for""";

    private final Pool pool;
    private final PersistLimits limits;
    private volatile boolean closed;

    /**
     * @param pool a reactive PostgreSQL pool on a database migrated to at least V2; owned by the caller
     * @param limits what one persist call may carry
     */
    public PostgresRaftLogStore(Pool pool, PersistLimits limits) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public CompletionStage<PersistentState> load(int shard, SnapshotMeta bootstrap) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        if (bootstrap.lastIncludedIndex() != 0) {
            return CompletableFuture.failedStage(
                    new IllegalArgumentException("bootstrap snapshot must have index 0: " + bootstrap));
        }
        Tuple key = Tuple.of(shard);
        return pool.withTransaction(connection -> {
                    // One consistent view of the three tables; BEGIN is sent with the first statement.
                    Future<RowSet<Row>> isolation = connection
                            .query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                            .execute();
                    Future<RowSet<Row>> hardState =
                            connection.preparedQuery(SELECT_HARD_STATE).execute(key);
                    Future<RowSet<Row>> snapshot =
                            connection.preparedQuery(SELECT_SNAPSHOT).execute(key);
                    Future<RowSet<Row>> entries =
                            connection.preparedQuery(SELECT_ENTRIES).execute(key);
                    return Future.all(isolation, hardState, snapshot, entries)
                            .map(done ->
                                    toState(shard, bootstrap, hardState.result(), snapshot.result(), entries.result()));
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> persist(List<ShardWrite> writes) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        try {
            limits.check(writes);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedStage(e);
        }
        if (writes.stream().allMatch(ShardWrite::isEmpty)) {
            return CompletableFuture.completedStage(null);
        }
        return pool.getConnection()
                .compose(connection -> {
                    // BEGIN, every statement and COMMIT leave back to back: one round trip and one fsync per call.
                    // Atomicity rests on every failure being the server's (which aborts the transaction): nothing
                    // here may fail on the client between two statements, so all encoding is plain byte copying.
                    List<Future<?>> steps = new ArrayList<>();
                    try {
                        steps.add(connection.query("BEGIN").execute());
                        for (ShardWrite write : writes) {
                            send(connection, write, steps);
                        }
                    } catch (RuntimeException e) {
                        // A bug before COMMIT was sent: roll back what went out and give the connection back.
                        Future<Void> rolledBack =
                                connection.query("ROLLBACK").execute().mapEmpty();
                        return rolledBack
                                .transform(ignored -> connection.close())
                                .transform(ignored -> Future.<Void>failedFuture(e));
                    }
                    // After a failed statement PostgreSQL answers this COMMIT with ROLLBACK, not an error: the call
                    // succeeds only if every step did. Wait for all of them before the connection goes back.
                    steps.add(connection.query("COMMIT").execute());
                    Future<Void> done = Future.join(new ArrayList<>(steps)).transform(all -> firstFailure(steps));
                    return done.eventually(() -> connection.close());
                })
                .toCompletionStage();
    }

    /**
     * The call's outcome once every step answered: the first step that failed, in the order they were sent (a
     * statement after a failed one fails only because the transaction aborted), else success.
     */
    private static Future<Void> firstFailure(List<Future<?>> steps) {
        for (Future<?> step : steps) {
            if (step.failed()) {
                return Future.failedFuture(step.cause());
            }
        }
        return Future.succeededFuture();
    }

    /** Refuses further calls; stages already returned still complete. Does not close the pool. */
    @Override
    public void close() {
        closed = true;
    }

    /** Sends one write's statements in the order the SPI defines: snapshot, entries, hard state. */
    private static void send(SqlConnection connection, ShardWrite write, List<Future<?>> steps) {
        int shard = write.shard();
        if (write.snapshot() != null) {
            SnapshotMeta meta = write.snapshot().meta();
            steps.add(connection
                    .preparedQuery(DELETE_COVERED)
                    .execute(Tuple.of(shard, meta.lastIncludedIndex(), meta.lastIncludedTerm())));
            steps.add(connection
                    .preparedQuery(UPSERT_SNAPSHOT)
                    .execute(Tuple.of(
                            shard,
                            meta.lastIncludedIndex(),
                            meta.lastIncludedTerm(),
                            Buffer.buffer(RaftRowCodec.configBytes(meta.config())),
                            Buffer.buffer(write.snapshot().data()))));
        }
        if (!write.entries().isEmpty()) {
            steps.add(connection
                    .preparedQuery(DELETE_SUFFIX)
                    .execute(Tuple.of(shard, write.entries().getFirst().index())));
            for (List<LogEntry> chunk : chunks(write.entries())) {
                steps.add(insert(connection, shard, chunk));
            }
        }
        if (write.hardState() != null) {
            HardState hardState = write.hardState();
            steps.add(connection
                    .preparedQuery(UPSERT_HARD_STATE)
                    .execute(Tuple.of(shard, hardState.term(), hardState.votedFor())));
        }
    }

    private static Future<RowSet<Row>> insert(SqlConnection connection, int shard, List<LogEntry> chunk) {
        int size = chunk.size();
        Long[] indexes = new Long[size];
        Long[] terms = new Long[size];
        Short[] kinds = new Short[size];
        Buffer[] payloads = new Buffer[size];
        for (int i = 0; i < size; i++) {
            LogEntry entry = chunk.get(i);
            indexes[i] = entry.index();
            terms[i] = entry.term();
            kinds[i] = RaftRowCodec.kind(entry.payload());
            payloads[i] = Buffer.buffer(RaftRowCodec.payloadBytes(entry.payload()));
        }
        long previous = indexes[0] - 1;
        Future<RowSet<Row>> fits = connection
                .preparedQuery(REQUIRE_FOLLOWS)
                .execute(Tuple.of(shard, previous))
                .recover(PostgresRaftLogStore::gapAsIllegalState);
        Tuple arguments = Tuple.tuple()
                .addInteger(shard)
                .addArrayOfLong(indexes)
                .addArrayOfLong(terms)
                .addArrayOfShort(kinds)
                .addArrayOfBuffer(payloads);
        Future<RowSet<Row>> inserted = connection.preparedQuery(INSERT_ENTRIES).execute(arguments);
        return Future.join(fits, inserted).map(ignored -> inserted.result());
    }

    private static Future<RowSet<Row>> gapAsIllegalState(Throwable failure) {
        if (failure instanceof PgException pg && GAP_SQLSTATE.equals(pg.getSqlState())) {
            return Future.failedFuture(new IllegalStateException(pg.getErrorMessage()));
        }
        return Future.failedFuture(failure);
    }

    /** Splits entries into INSERT-sized runs, bounded by count and bytes. */
    static List<List<LogEntry>> chunks(List<LogEntry> entries) {
        List<List<LogEntry>> chunks = new ArrayList<>();
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            int size = entries.get(i).sizeBytes();
            if (i > start && (i - start == INSERT_ENTRIES_MAX || bytes + size > INSERT_BYTES_MAX)) {
                chunks.add(entries.subList(start, i));
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        chunks.add(entries.subList(start, entries.size()));
        return chunks;
    }

    private static PersistentState toState(
            int shard,
            SnapshotMeta bootstrap,
            RowSet<Row> hardStateRows,
            RowSet<Row> snapshotRows,
            RowSet<Row> entryRows) {
        HardState hardState = HardState.initial();
        for (Row row : hardStateRows) {
            hardState = new HardState(row.getLong("term"), row.getInteger("voted_for"));
        }
        Snapshot snapshot = Snapshot.bootstrap(bootstrap);
        for (Row row : snapshotRows) {
            SnapshotMeta meta = new SnapshotMeta(
                    row.getLong("last_index"),
                    row.getLong("last_term"),
                    RaftRowCodec.config(row.getBuffer("config").getBytes()));
            snapshot = new Snapshot(meta, row.getBuffer("data").getBytes());
        }
        List<LogEntry> entries = new ArrayList<>(entryRows.size());
        long expectedIndex = snapshot.meta().lastIncludedIndex() + 1;
        long previousTerm = snapshot.meta().lastIncludedTerm();
        for (Row row : entryRows) {
            long index = row.getLong("idx");
            long term = row.getLong("term");
            // Paired with the gap check on insert: the stored log must read back contiguous, terms never decreasing.
            if (index != expectedIndex || term < previousTerm) {
                throw new IllegalStateException("shard " + shard + ": stored log broken at index " + index + " (term "
                        + term + "), expected index " + expectedIndex + " with term >= " + previousTerm);
            }
            entries.add(new LogEntry(
                    term,
                    index,
                    RaftRowCodec.payload(
                            row.getShort("kind"), row.getBuffer("payload").getBytes())));
            expectedIndex++;
            previousTerm = term;
        }
        return new PersistentState(hardState, snapshot, entries);
    }
}
