package io.sinkron.nodes.raft;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sinkron.channel.Channel;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.Peer;
import io.sinkron.nodes.config.SinkronConfig;
import io.sinkron.nodes.membership.Membership;
import io.sinkron.nodes.shard.HashRing;
import io.sinkron.nodes.shard.ShardMap;
import io.sinkron.nodes.storage.raft.RaftLogStore;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.SnapshotMeta;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs every local Raft replica of this node. The threads, in this one place (STYLE.md rule 14):
 *
 * <ul>
 *   <li>{@code sinkron-raft}: the driver ({@link RaftDriver}); owns every core and state machine.
 *   <li>{@code sinkron-raft-tick}: a scheduler that counts ticks every {@code sinkron.raft.tick} and wakes the driver.
 * </ul>
 *
 * Everything else reaches the driver through one bounded queue: inbound frames (from the channel's delivery thread),
 * proposals and reads (from HTTP event loops, never blocked: {@link #propose} and {@link #read} return at once with a
 * stage the driver completes). Started after storage is migrated; stopped before it goes away.
 */
@ApplicationScoped
public class RaftHost {

    private static final Logger LOG = Logger.getLogger(RaftHost.class);

    /** How long start-up waits for the store to load a shard and for the channel to open. */
    static final Duration START_WAIT = Duration.ofSeconds(30);

    /** How long a request waits for its entry to apply (or its read to be served) before giving up. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final NodeSettings settings;
    private final RaftSettings raft;
    private final ShardStateMachines machines;
    private final RaftLogStore store;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final Membership membership;
    private final String httpHost;
    private final Optional<String> kafkaBootstrap;
    private final ShardMap shardMap;
    private final NodeIds ids;
    private final AtomicLong ticksDue = new AtomicLong();
    private final AtomicBoolean tickQueued = new AtomicBoolean();
    private final RequestDeadlines deadlines = new RequestDeadlines(REQUEST_TIMEOUT);
    private volatile RaftView view = RaftView.EMPTY;
    // Held here for the node's life: Micrometer keeps only a weak reference to a gauge's state object, and a lambda
    // created at registration would be collected, turning every per-shard gauge into NaN after the first GC.
    private final Supplier<RaftView> views = () -> view;
    private volatile BlockingQueue<DriverInput> inputs;
    private RaftMetrics metrics;
    private Channel channel;
    private Thread driver;
    private ScheduledExecutorService ticker;

    RaftHost(
            NodeSettings settings,
            SinkronConfig config,
            ShardStateMachines machines,
            RaftLogStore store,
            Vertx vertx,
            MeterRegistry registry,
            Membership membership,
            @ConfigProperty(name = "quarkus.http.host") String httpHost,
            @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> kafkaBootstrap) {
        this.settings = settings;
        this.raft = RaftSettings.from(config);
        this.machines = machines;
        this.store = store;
        this.vertx = vertx;
        this.registry = registry;
        this.membership = membership;
        this.httpHost = httpHost;
        this.kafkaBootstrap = kafkaBootstrap;
        List<String> peerIds = settings.peers().stream().map(Peer::id).toList();
        this.shardMap = new ShardMap(HashRing.of(peerIds), raft.shardCount(), raft.replicationFactor());
        this.ids = new NodeIds(peerIds);
    }

    // After NodeLifecycle (priority 1) brought storage up and migrated it.
    void onStart(@Observes @Priority(10) StartupEvent event) {
        long begin = System.nanoTime();
        metrics = new RaftMetrics(registry, raft.channel().name().toLowerCase(java.util.Locale.ROOT));
        inputs = new ArrayBlockingQueue<>(raft.inputQueueCapacity());
        Map<Integer, ShardReplica> replicas = loadReplicas();
        channel = RaftChannels.open(
                raft, settings, httpHost, vertx, kafkaBootstrap, new InboundFrames(this::offerInbound));
        int self = ids.numberOf(settings.selfId());
        RaftDriver loop = new RaftDriver(
                replicas,
                inputs,
                store,
                RaftLogStoreProducer.LIMITS,
                channel,
                ids,
                self,
                metrics,
                raft.tick().toMillis(),
                raft.raftConfig().electionTimeoutTicks(),
                ticksDue,
                tickQueued,
                published -> view = published,
                this::fatal);
        driver = new Thread(loop, "sinkron-raft");
        driver.setDaemon(true);
        driver.start();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sinkron-raft-tick");
            t.setDaemon(true);
            return t;
        });
        long tickNanos = raft.tick().toNanos();
        ticker.scheduleAtFixedRate(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        LOG.infof(
                "raft: %d of %d shards local, tick %d ms, election %d-%d ticks, heartbeat %d ticks, channel %s,"
                        + " started in %d ms",
                replicas.size(),
                raft.shardCount(),
                raft.tick().toMillis(),
                raft.raftConfig().electionTimeoutTicks(),
                2 * raft.raftConfig().electionTimeoutTicks() - 1,
                raft.raftConfig().heartbeatTicks(),
                raft.channel(),
                (System.nanoTime() - begin) / 1_000_000);
    }

    // Before NodeLifecycle stops PostgreSQL (its observer has the default, later priority).
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        BlockingQueue<DriverInput> queue = inputs;
        if (driver != null && queue != null) {
            List<DriverInput> dropped = new java.util.ArrayList<>();
            queue.drainTo(dropped); // make room for Stop; answer what will never be handled
            dropped.forEach(RaftHost::abandon);
            queue.offer(new DriverInput.Stop());
            try {
                driver.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (channel != null) {
            channel.close();
        }
    }

    private Map<Integer, ShardReplica> loadReplicas() {
        Map<Integer, ShardReplica> replicas = new LinkedHashMap<>();
        // One generator per core, split from one secure seed: election timeouts differ between nodes and shards.
        SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
        for (int shard = 0; shard < raft.shardCount(); shard++) {
            List<String> members = shardMap.replicasOf(shard);
            if (!members.contains(settings.selfId())) {
                continue;
            }
            TreeSet<Integer> voters = new TreeSet<>();
            members.forEach(m -> voters.add(ids.numberOf(m)));
            SnapshotMeta bootstrap = SnapshotMeta.bootstrap(ClusterConfig.ofVoters(voters));
            PersistentState state = await(store.load(shard, bootstrap), "loading shard " + shard);
            StateMachine machine = machines.create(shard);
            if (state.snapshot().meta().lastIncludedIndex() > 0) {
                machine.restore(state.snapshot());
            }
            RaftNode node = new RaftNode(ids.numberOf(settings.selfId()), raft.raftConfig(), random.split(), state);
            replicas.put(
                    shard,
                    new ShardReplica(
                            shard,
                            node,
                            machine,
                            members,
                            ids,
                            machines,
                            raft.raftConfig().snapshotThresholdEntries()));
            RaftMetrics.registerShard(registry, shard, views);
        }
        return replicas;
    }

    private static <T> T await(CompletionStage<T> stage, String what) {
        try {
            return stage.toCompletableFuture().get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalStateException(what + " failed: " + e, e);
        }
    }

    private static void abandon(DriverInput input) {
        RaftReply stopping = new RaftReply.Unavailable("the node is stopping", true);
        switch (input) {
            case DriverInput.Propose p -> p.reply().complete(stopping);
            case DriverInput.Read r -> r.reply().complete(stopping);
            case DriverInput.Tick t -> {}
            case DriverInput.Inbound i -> {}
            case DriverInput.Persisted p -> {}
            case DriverInput.Stop s -> {}
        }
    }

    private void tick() {
        try {
            deadlines.sweep(System.nanoTime());
        } catch (RuntimeException e) {
            // An exception out of here would cancel the tick schedule, and with it every election timer.
            LOG.warnf(e, "raft: timing out requests failed");
        }
        ticksDue.incrementAndGet();
        if (tickQueued.compareAndSet(false, true) && !inputs.offer(new DriverInput.Tick())) {
            tickQueued.set(false);
        }
    }

    private void offerInbound(String fromPeer, DriverInput.Inbound inbound) {
        membership.heardFrom(fromPeer);
        metrics.received.increment();
        if (!inputs.offer(inbound)) {
            metrics.receivedDropped.increment(); // Raft tolerates loss; the sender retries
        }
    }

    private void fatal(Throwable failure) {
        LOG.errorf(failure, "raft: the driver failed; stopping the node");
        Quarkus.asyncExit(1);
    }

    /** The shard of a name. */
    public int shardOf(String name) {
        return shardMap.shardOf(name);
    }

    /** How many shards the cluster has. */
    public int shardCount() {
        return raft.shardCount();
    }

    /** The replicas of a shard, preferred leader first. */
    public List<String> replicasOf(int shard) {
        return shardMap.replicasOf(shard);
    }

    /** What the driver last published. */
    public RaftView view() {
        return view;
    }

    /** Proposes {@code command} to {@code shard}; completes when it applied here, or with why not. Never blocks. */
    public CompletionStage<RaftReply> propose(int shard, byte[] command) {
        CompletableFuture<RaftReply> reply = new CompletableFuture<>();
        return submit(new DriverInput.Propose(shard, command, reply), reply, false);
    }

    /** A linearizable read (ReadIndex) of {@code shard}'s state machine; {@code query} runs on the driver thread. */
    public CompletionStage<RaftReply> read(int shard, Function<StateMachine, byte[]> query) {
        CompletableFuture<RaftReply> reply = new CompletableFuture<>();
        return submit(new DriverInput.Read(shard, query, true, reply), reply, true);
    }

    /**
     * A read of this node's own replica of {@code shard} as applied so far, without asking the leader: fast and
     * available on any replica, but possibly stale. Completes with {@link RaftReply.NotLeader} (null leader) when
     * this node holds no replica of the shard.
     */
    public CompletionStage<RaftReply> readLocal(int shard, Function<StateMachine, byte[]> query) {
        CompletableFuture<RaftReply> reply = new CompletableFuture<>();
        return submit(new DriverInput.Read(shard, query, false, reply), reply, true);
    }

    private CompletionStage<RaftReply> submit(
            DriverInput input, CompletableFuture<RaftReply> reply, boolean retrySafeOnTimeout) {
        BlockingQueue<DriverInput> queue = inputs;
        if (queue == null) {
            return CompletableFuture.completedFuture(new RaftReply.Unavailable("raft is starting", true));
        }
        if (!queue.offer(input)) {
            metrics.inputsRefused.increment();
            return CompletableFuture.completedFuture(new RaftReply.Unavailable(
                    "the node is overloaded: " + raft.inputQueueCapacity() + " inputs queued", true));
        }
        deadlines.track(reply, retrySafeOnTimeout, System.nanoTime());
        return reply;
    }
}
