package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.RaftStorage;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import io.vertx.core.Context;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The blocking {@link RaftStorage} of one shard over a node-wide {@link RaftLogStore}: for a driver that owns a
 * dedicated (non-event-loop) thread per node core, such as a test harness. Drivers that group-commit several shards
 * should call the {@link RaftLogStore} directly.
 *
 * <p><b>Blocking:</b> every call waits for the store's stage, at most {@code waitMax}. Calling it on a Vert.x event
 * loop throws {@link IllegalStateException}: waiting there would stall the very loop the store completes on. <b>Errors:
 * </b> a failed stage, a timeout or an interrupt becomes an {@link IOException}; after a failed or timed-out persist
 * the write may or may not be durable, so the driver must stop the node (RaftStorage's contract).
 */
public final class ShardRaftStorage implements RaftStorage {

    private final RaftLogStore store;
    private final int shard;
    private final SnapshotMeta bootstrap;
    private final Duration waitMax;

    /**
     * @param store the node's store
     * @param shard this shard's id
     * @param bootstrap the snapshot a shard that never persisted anything starts from (index 0)
     * @param waitMax how long one call may wait for the store
     */
    public ShardRaftStorage(RaftLogStore store, int shard, SnapshotMeta bootstrap, Duration waitMax) {
        this.store = Objects.requireNonNull(store, "store");
        this.shard = shard;
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        if (waitMax.isNegative() || waitMax.isZero()) {
            throw new IllegalArgumentException("waitMax must be positive: " + waitMax);
        }
        this.waitMax = waitMax;
    }

    @Override
    public PersistentState load() throws IOException {
        requireNotEventLoop("load");
        return await(store.load(shard, bootstrap), "load");
    }

    @Override
    public void persist(Snapshot snapshot, List<LogEntry> entries, HardState hardState) throws IOException {
        requireNotEventLoop("persist");
        ShardWrite write = new ShardWrite(shard, snapshot, entries, hardState);
        if (write.isEmpty()) {
            return;
        }
        await(store.persist(List.of(write)), "persist");
    }

    private void requireNotEventLoop(String what) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("shard " + shard + ": blocking " + what + " on an event-loop thread");
        }
    }

    private <T> T await(CompletionStage<T> stage, String what) throws IOException {
        try {
            return stage.toCompletableFuture().get(waitMax.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException("shard " + shard + ": " + what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("shard " + shard + ": " + what + " did not complete within " + waitMax, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted =
                    new InterruptedIOException("shard " + shard + ": " + what + " interrupted");
            interrupted.initCause(e);
            throw interrupted;
        }
    }
}
