package io.sinkron.nodes.raft;

import io.sinkron.channel.Channel;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.nodes.storage.raft.PersistLimits;
import io.sinkron.nodes.storage.raft.RaftLogStore;
import io.sinkron.nodes.storage.raft.ShardWrite;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftCodec;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The loop of the one driver thread that owns every local Raft core (STYLE.md rule 3: one thread owns a core).
 *
 * <p>Each turn: drain up to {@link #INPUTS_PER_LOOP_MAX} inputs (messages, proposals, reads, ticks) and give them to
 * the cores → collect every core's {@link Ready} → if the group commit in flight completed, <b>release</b> its Readies:
 * send their messages (Raft §5.1: durable before visible), install snapshots, apply committed entries in order, serve
 * reads, compact → issue everything gathered since as the next group commit, <b>one</b> {@link RaftLogStore#persist}
 * for all shards → publish the view.
 *
 * <p>Persistence is pipelined, not waited for: while a commit is in flight the cores keep receiving inputs and their
 * Readies gather into the next one ({@link WriteBatch}), so the batch grows with the load instead of the driver
 * idling on the disk. Safety rests on the release rule of {@link Ready}: Readies are released in the order they came
 * and each only after its own persist and every earlier one completed, so nothing a core said leaves the node, and
 * nothing applies, before everything the core knew at that moment is durable. A crash loses only unreleased Readies,
 * as if their inputs had been lost on the network. {@code RaftDeferredPersistSimTest} (consensus) checks the rule
 * under faults. The one exception: with {@code sinkron.raft.leader-persists-in-parallel} a leader's appends and
 * heartbeats ({@link Ready#messagesBeforePersist()}) leave as soon as they are collected, and once a commit completes
 * each core hears how far its log is durable ({@code RaftNode.persisted}); a leader counts itself toward commitment
 * only up to there (dissertation §10.2.1; {@code RaftParallelLeaderPersistSimTest}). A persist failure is fatal
 * ({@link #onFatal}); so is one that takes over {@link #PERSIST_WAIT_MAX_MILLIS}.
 */
final class RaftDriver implements Runnable {

    private static final Logger LOG = Logger.getLogger(RaftDriver.class);

    /** Inputs handled per turn, so one turn stays short and the Readies it gathers stay bounded. */
    static final int INPUTS_PER_LOOP_MAX = 4_096;

    /**
     * Ticks given at once after the driver fell behind (a long persist, a GC pause). Capped so that a stall is not
     * followed by a burst of elapsed timeouts firing elections everywhere at the same instant.
     */
    static final int CATCH_UP_TICKS_MAX = 5;

    /** How often (ticks) a leader checks whether its shard's preferred leader should take over. */
    static final int REBALANCE_TICKS = 300;

    /** How long one persist call may take before the node gives up on its storage. */
    static final long PERSIST_WAIT_MAX_MILLIS = 30_000;

    /**
     * Entries gathered behind the persist in flight beyond which the driver stops taking inputs until it completes.
     * Far above what one turn gathers under load; a stall of the store stops the node from buffering without bound.
     */
    static final int GATHERED_ENTRIES_MAX = 16_384;

    /** Like {@link #GATHERED_ENTRIES_MAX}, in bytes of entries and snapshots. */
    static final long GATHERED_BYTES_MAX = 64L * 1024 * 1024;

    /** Like {@link #GATHERED_ENTRIES_MAX}, in Readies (those without entries: messages, reads, commit news). */
    static final int GATHERED_READIES_MAX = 65_536;

    /** How long a stopping driver waits for the group commit in flight before it lets storage go. */
    static final long STOP_PERSIST_WAIT_MILLIS = 5_000;

    /** How often (turns) requests abandoned by their callers are forgotten. */
    static final int SWEEP_TURNS = 1_024;

    private final Map<Integer, ShardReplica> replicas;
    private final BlockingQueue<DriverInput> inputs;
    private final RaftLogStore store;
    private final PersistLimits limits;
    private final Channel channel;
    private final NodeIds ids;
    private final int self;
    private final RaftMetrics metrics;
    private final long tickMillis;
    private final int electionTicks;
    private final AtomicLong ticksDue;
    private final AtomicBoolean tickQueued;
    private final Consumer<RaftView> publish;
    private final Consumer<Throwable> onFatal;
    private final Runnable wake;
    private final Map<Integer, Long> lastHeardTick = new LinkedHashMap<>();
    private List<Released> gathered = new ArrayList<>();
    private WriteBatch gatheredWrites;
    private InFlight inFlight;
    private long tickCount;
    private long turns;
    /** When the view was last published ({@link System#nanoTime()}). */
    private long viewPublishedNanos;

    private boolean running = true;

    RaftDriver(
            Map<Integer, ShardReplica> replicas,
            BlockingQueue<DriverInput> inputs,
            RaftLogStore store,
            PersistLimits limits,
            Channel channel,
            NodeIds ids,
            int self,
            RaftMetrics metrics,
            long tickMillis,
            int electionTicks,
            AtomicLong ticksDue,
            AtomicBoolean tickQueued,
            Consumer<RaftView> publish,
            Consumer<Throwable> onFatal) {
        this.replicas = replicas;
        this.inputs = inputs;
        this.store = store;
        this.limits = limits;
        this.channel = channel;
        this.ids = ids;
        this.self = self;
        this.metrics = metrics;
        this.tickMillis = tickMillis;
        this.electionTicks = electionTicks;
        this.ticksDue = ticksDue;
        this.tickQueued = tickQueued;
        this.publish = publish;
        this.onFatal = onFatal;
        this.wake = () -> inputs.offer(new DriverInput.Persisted()); // if the queue is full, the driver is awake anyway
        this.gatheredWrites = new WriteBatch(limits);
    }

    /** A Ready waiting for its persist (and every earlier one) before its effects may happen. */
    private record Released(ShardReplica replica, Ready ready) {}

    /**
     * The one group commit in flight, the Readies it makes durable, and the chunks of it not yet sent (each sent by
     * the driver thread once the one before is durable, so no store work runs on the store's event loop).
     */
    private static final class InFlight {
        private final List<Released> readies;
        private final List<ShardWrite> writes;
        private final ArrayDeque<List<ShardWrite>> chunksLeft;
        private final long issuedNanos;
        private CompletableFuture<Void> current;

        InFlight(List<Released> readies, List<ShardWrite> writes, ArrayDeque<List<ShardWrite>> chunksLeft, long at) {
            this.readies = readies;
            this.writes = writes;
            this.chunksLeft = chunksLeft;
            this.issuedNanos = at;
        }

        /**
         * Tracks the chunk just sent. The wake-up is a separate stage: it runs after {@code chunk} is complete, so
         * the woken driver never finds it still running and sleeps until the next tick.
         */
        void next(CompletableFuture<Void> chunk, Runnable wake, RaftMetrics metrics) {
            current = chunk;
            boolean last = chunksLeft.isEmpty(); // read here, on the driver thread that owns the deque
            chunk.whenComplete((ok, failure) -> {
                if (failure == null && last) {
                    int entries =
                            writes.stream().mapToInt(w -> w.entries().size()).sum();
                    metrics.persist.record(System.nanoTime() - issuedNanos, TimeUnit.NANOSECONDS);
                    metrics.appendBatchEntries.record(entries);
                    metrics.persistBatchShards.record(writes.size());
                }
                wake.run();
            });
        }

        /** The chunk sent last; the whole commit is durable when it completed with none left. */
        CompletableFuture<Void> done() {
            return current;
        }

        List<Released> readies() {
            return readies;
        }

        List<ShardWrite> writes() {
            return writes;
        }

        long issuedNanos() {
            return issuedNanos;
        }
    }

    @Override
    public void run() {
        List<DriverInput> batch = new ArrayList<>();
        try {
            publishView(true);
            while (running) {
                awaitPersistIfBehind();
                DriverInput first = inputs.poll(tickMillis, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    inputs.drainTo(batch, INPUTS_PER_LOOP_MAX - 1);
                    batch.forEach(this::handle);
                    batch.clear();
                }
                if (!running) {
                    break; // nothing more leaves: what was gathered is as if its inputs had been lost
                }
                advance();
                checkPersistAge();
                publishView(false);
                if (++turns % SWEEP_TURNS == 0) {
                    replicas.values().forEach(ShardReplica::dropAbandoned);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            onFatal.accept(e);
        } finally {
            awaitInFlightOnStop();
            replicas.values().forEach(r -> r.abandonAll("the node is stopping"));
        }
    }

    /** Lets the commit in flight finish (bounded) before storage goes away; its Readies are never released. */
    private void awaitInFlightOnStop() {
        if (inFlight == null) {
            return;
        }
        try {
            inFlight.done().get(STOP_PERSIST_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debugf("raft: the group commit in flight at stop did not complete: %s", e.toString());
        }
    }

    private void handle(DriverInput input) {
        switch (input) {
            case DriverInput.Tick tick -> onTick();
            case DriverInput.Inbound in -> onInbound(in);
            case DriverInput.Propose p -> {
                ShardReplica replica = replicas.get(p.shard());
                if (replica == null) {
                    p.reply().complete(new RaftReply.NotLeader(null));
                } else {
                    replica.propose(p.command(), p.reply());
                }
            }
            case DriverInput.Read r -> {
                ShardReplica replica = replicas.get(r.shard());
                if (replica == null) {
                    r.reply().complete(new RaftReply.NotLeader(null));
                } else {
                    replica.read(r.query(), r.linearizable(), r.reply());
                }
            }
            case DriverInput.Persisted persisted -> {} // advance() looks at the persist in flight
            case DriverInput.Stop stop -> running = false;
        }
    }

    private void onTick() {
        tickQueued.set(false);
        long due = Math.min(ticksDue.getAndSet(0), CATCH_UP_TICKS_MAX);
        for (long i = 0; i < due; i++) {
            tickCount++;
            for (ShardReplica replica : replicas.values()) {
                replica.node().tick();
            }
            if (tickCount % REBALANCE_TICKS == 0) {
                rebalance();
            }
        }
        if (due > 0) {
            long now = System.currentTimeMillis(); // wall time enters the log only inside leaders' duty commands
            for (ShardReplica replica : replicas.values()) {
                replica.leaderDuties(now);
            }
        }
    }

    private void onInbound(DriverInput.Inbound in) {
        ShardReplica replica = replicas.get(in.shard());
        RaftMessage message = in.message();
        if (replica == null || message.to() != self) {
            metrics.receivedDropped.increment();
            return;
        }
        lastHeardTick.put(message.from(), tickCount);
        replica.node().step(message);
    }

    /** Leaders hand their shard to its preferred leader (first ring successor) when it is up and caught up. */
    private void rebalance() {
        for (ShardReplica replica : replicas.values()) {
            int preferred = ids.numberOf(replica.view().members().getFirst());
            Long heard = lastHeardTick.get(preferred);
            if (preferred != self && heard != null && tickCount - heard < electionTicks) {
                replica.transferTo(preferred);
            }
        }
    }

    /**
     * Moves persistence along without waiting for it: collects every core's Ready into the batch being gathered;
     * when the persist in flight completed, releases its Readies (send, then apply); then issues the gathered batch
     * as the next group commit. At most one persist is in flight, so persists complete in order.
     */
    private void advance() {
        collectReadies();
        while (true) {
            if (inFlight != null) {
                if (!inFlight.done().isDone()) {
                    return;
                }
                if (!inFlight.chunksLeft.isEmpty() && !inFlight.done().isCompletedExceptionally()) {
                    inFlight.next(store.persist(inFlight.chunksLeft.poll()).toCompletableFuture(), wake, metrics);
                    continue;
                }
                InFlight finished = inFlight;
                inFlight = null;
                finish(finished);
                collectReadies(); // applying may have produced more (a compaction, a snapshot install)
            }
            if (gathered.isEmpty()) {
                return;
            }
            List<Released> readies = gathered;
            WriteBatch writes = gatheredWrites;
            gathered = new ArrayList<>();
            gatheredWrites = new WriteBatch(limits);
            if (writes.isEmpty()) {
                // Nothing to make durable, and nothing earlier is outstanding. What the release produces (a
                // compaction's snapshot) waits for the next turn: Ready repeats snapshotDue until the compaction, so
                // collecting again here could go round for ever.
                release(readies);
                return;
            }
            inFlight = issue(writes, readies);
        }
    }

    private void collectReadies() {
        for (ShardReplica replica : replicas.values()) {
            Ready ready = replica.node().ready();
            if (ready.isEmpty()) {
                continue;
            }
            // A leader's appends and heartbeats leave now, in parallel with its own commit (dissertation §10.2.1):
            // it counts itself toward commitment only once persisted() reports its entries durable.
            send(replica.shard(), ready.messagesBeforePersist());
            gathered.add(new Released(replica, ready));
            ShardWrite write = ShardWrite.of(replica.shard(), ready);
            if (write != null) {
                gatheredWrites.add(write);
            }
        }
    }

    /** Persists the batch's first chunk ({@link PersistLimits}); the driver issues the others as each completes. */
    private InFlight issue(WriteBatch batch, List<Released> readies) {
        List<ShardWrite> writes = batch.writes();
        ArrayDeque<List<ShardWrite>> chunks = new ArrayDeque<>(chunks(writes));
        InFlight inFlight = new InFlight(readies, writes, chunks, System.nanoTime());
        inFlight.next(store.persist(chunks.poll()).toCompletableFuture(), wake, metrics);
        return inFlight;
    }

    /** The persist completed: its Readies' messages leave and their effects apply, in the order they came. */
    private void finish(InFlight finished) {
        try {
            finished.done().join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StorageFailure("persisting " + finished.writes().size() + " shard writes failed", cause);
        }
        reportDurable(finished.writes());
        release(finished.readies());
    }

    /**
     * Tells each core how far its log is now on disk: the last entry of its shard's last write with entries (writes
     * are folded and persisted in order, so everything before it is durable too). A leader may commit on it.
     */
    private void reportDurable(List<ShardWrite> writes) {
        Map<Integer, LogEntry> lastByShard = new LinkedHashMap<>();
        for (ShardWrite write : writes) {
            if (!write.entries().isEmpty()) {
                lastByShard.put(write.shard(), write.entries().getLast());
            }
        }
        lastByShard.forEach((shard, last) -> {
            ShardReplica replica = replicas.get(shard);
            if (replica != null) {
                replica.node().persisted(last.index(), last.term());
            }
        });
    }

    private void release(List<Released> readies) {
        for (Released r : readies) {
            send(r.replica().shard(), r.ready().messages());
        }
        for (Released r : readies) {
            r.replica().afterPersist(r.ready());
        }
    }

    /** A persist that outlived {@link #PERSIST_WAIT_MAX_MILLIS}: the store is gone, and Raft cannot go on without it. */
    private void checkPersistAge() {
        if (inFlight != null
                && !inFlight.done().isDone()
                && System.nanoTime() - inFlight.issuedNanos()
                        > TimeUnit.MILLISECONDS.toNanos(PERSIST_WAIT_MAX_MILLIS)) {
            throw new StorageFailure("persisting took over " + PERSIST_WAIT_MAX_MILLIS + " ms", null);
        }
    }

    /**
     * While persistence is this far behind, the driver stops taking inputs and waits for the persist in flight:
     * bounds the memory of gathered Readies and lets group commits catch up.
     */
    private void awaitPersistIfBehind() throws InterruptedException {
        if (inFlight == null
                || (gatheredWrites.entriesAdded() < GATHERED_ENTRIES_MAX
                        && gatheredWrites.bytesAdded() < GATHERED_BYTES_MAX
                        && gathered.size() < GATHERED_READIES_MAX)) {
            return;
        }
        try {
            inFlight.done().get(PERSIST_WAIT_MAX_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // finish() reports it
        } catch (TimeoutException e) {
            throw new StorageFailure("persisting took over " + PERSIST_WAIT_MAX_MILLIS + " ms", e);
        }
    }

    /**
     * Splits a batch's writes into calls the store accepts ({@link PersistLimits}). Each shard's write stays whole
     * (atomic on its own); only the group commit is split. All chunks are durable before anything is released.
     */
    private List<List<ShardWrite>> chunks(List<ShardWrite> writes) {
        List<List<ShardWrite>> chunks = new ArrayList<>();
        List<ShardWrite> current = new ArrayList<>();
        long entries = 0;
        long bytes = 0;
        for (ShardWrite write : writes) {
            long writeEntries = write.entries().size();
            long writeBytes =
                    write.entries().stream().mapToLong(LogEntry::sizeBytes).sum()
                            + (write.snapshot() == null ? 0 : write.snapshot().data().length);
            if (!current.isEmpty()
                    && (current.size() == limits.writesMax()
                            || entries + writeEntries > limits.entriesMax()
                            || bytes + writeBytes > limits.bytesMax())) {
                chunks.add(current);
                current = new ArrayList<>();
                entries = 0;
                bytes = 0;
            }
            current.add(write);
            entries += writeEntries;
            bytes += writeBytes;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    private void send(int shard, List<RaftMessage> messages) {
        for (RaftMessage message : messages) {
            String peer = ids.peerOf(message.to());
            if (peer == null) {
                throw new IllegalStateException("shard " + shard + " addressed unknown node " + message.to());
            }
            byte[] frame = new ShardEnvelope(shard, RaftCodec.encode(message)).encode();
            try {
                channel.send(peer, frame).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        metrics.sendFailed.increment(); // Raft retries; a lost frame is a normal event
                    }
                });
                metrics.sent.increment();
            } catch (RuntimeException e) {
                metrics.sendFailed.increment();
                LOG.debugf("shard %d: send to %s refused: %s", shard, peer, e.getMessage());
            }
        }
    }

    /**
     * Publishes what routing, {@code /v1/cluster} and the metrics read: at once when a shard's leader, term or this
     * node's role changed, otherwise at most once a tick, so its indexes trail by up to a tick. Publishing after every
     * turn was 6 % of a node's allocation under load (a new status per shard, every turn).
     */
    private void publishView(boolean force) {
        long now = System.nanoTime();
        if (!force && now - viewPublishedNanos < TimeUnit.MILLISECONDS.toNanos(tickMillis)) {
            boolean changed = false;
            for (ShardReplica replica : replicas.values()) {
                changed |= replica.leadershipChangedSincePublished();
            }
            if (!changed) {
                return;
            }
        }
        viewPublishedNanos = now;
        Map<Integer, RaftView.ShardStatus> shards = new LinkedHashMap<>();
        for (ShardReplica replica : replicas.values()) {
            replica.logLeadershipChange();
            replica.markPublished();
            shards.put(
                    replica.shard(),
                    new RaftView.ShardStatus(
                            replica.view(),
                            replica.node().role(),
                            replica.proposalCount(),
                            replica.node().snapshotIndex()));
        }
        publish.accept(new RaftView(shards));
    }

    /** The store failed: Raft cannot promise anything without it, so the node stops. */
    static final class StorageFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StorageFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
