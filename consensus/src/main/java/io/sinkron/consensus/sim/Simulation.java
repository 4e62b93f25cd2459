package io.sinkron.consensus.sim;

import io.sinkron.consensus.check.KvSpec;
import io.sinkron.consensus.check.LinearizabilityChecker;
import io.sinkron.consensus.check.LinearizabilityResult;
import io.sinkron.consensus.raft.Outcome;
import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.ReadState;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.consensus.raft.Role;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftCodec;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Runs one whole cluster on one thread, step by step, from one seed (see {@link SimConfig}). Each step: scheduled
 * faults, a tick for each live node (with per-node clock skew), delivery of due messages, client activity; after every
 * input the node's {@link Ready} is handled exactly as a real driver must (persist, send, install, apply, serve reads,
 * compact) and the {@link SafetyChecker} runs; after every restart and at the end it also checks that no committed
 * entry was lost. After the fault phase the network heals, every crashed node restarts and the {@link LivenessChecker}
 * holds the cluster to {@link SimConfig#electionBoundSteps()}, {@link SimConfig#commitBoundSteps()} and {@link
 * SimConfig#leaderChangesMax()} (a marker proposal guarantees there is something to commit). At the end the clients'
 * history is checked for linearizability. Each run counts what it exercised in a {@link Coverage}.
 *
 * <p>With {@link SimConfig#persistDelayStepsMax()} above 0 persistence is pipelined, as {@link Ready} allows: each
 * Ready joins the node's {@link PersistPipeline} and the node keeps taking inputs; at the end of every step each due
 * Ready, oldest first, is persisted and then has its effects exactly as above. A crash drops the unpersisted rest.
 *
 * <p>With {@link io.sinkron.consensus.raft.RaftConfig#leaderPersistsInParallel()} a Ready's {@link
 * Ready#messagesBeforePersist()} leave when it is produced (pipelined: before it is held), and after each persist the
 * core hears which entries are durable ({@link RaftNode#persisted}) before the Ready's other effects.
 */
public final class Simulation implements KvClients.Cluster {

    /** Search budget of the linearizability check per run. */
    public static final long LINEARIZABILITY_STEPS_MAX = 2_000_000;

    /** Most release rounds per node per step: each round's compaction or apply may queue one more Ready. */
    private static final int RELEASE_ROUNDS_MAX = 100;

    private final SimConfig config;
    private final SplittableRandom random;
    private final List<SimNode> nodes = new ArrayList<>();
    private final SimNetwork network;
    private final SafetyChecker checker = new SafetyChecker();
    private final KvClients clients;
    private final NodeFactory factory;
    private final CoverageCounter coverage = new CoverageCounter();
    private final LivenessChecker liveness;
    private final TreeSet<Long> leaderTerms = new TreeSet<>();
    private final Map<Integer, Long> timeoutNowTerms = new HashMap<>();
    private ClusterConfig committedConfig;
    private int lastLeader = -1;
    private long now;
    private long trace = 0xcbf29ce484222325L;
    private long markerIndex;
    private long markerTerm;
    private long livenessStep = -1;

    public Simulation(SimConfig config) {
        this(config, NodeFactory.STANDARD);
    }

    /** A run whose nodes come from {@code factory} (canaries build broken variants; see {@link NodeFactory}). */
    public Simulation(SimConfig config, NodeFactory factory) {
        this.config = config;
        this.factory = factory;
        this.liveness = new LivenessChecker(config, coverage);
        this.random = new SplittableRandom(config.seed());
        int total = config.nodes() + config.spareNodes();
        this.network = new SimNetwork(
                random.split(), total, config.lossPercent(), config.duplicatePercent(), config.maxDelaySteps());
        this.clients = new KvClients(random.split(), config.clients(), config.keys(), config.staleReads());
        TreeSet<Integer> voters = new TreeSet<>();
        for (int i = 0; i < config.nodes(); i++) {
            voters.add(i);
        }
        this.committedConfig = ClusterConfig.ofVoters(voters);
        for (int i = 0; i < total; i++) {
            // Spare nodes know no cluster: they wait, silent, until a leader adds them as learners.
            ClusterConfig initial = i < config.nodes() ? ClusterConfig.ofVoters(voters) : ClusterConfig.empty();
            SimStorage storage = new SimStorage(SnapshotMeta.bootstrap(initial), config.storageFault());
            int tickPercent = config.faultSteps() > 0 ? 75 + random.nextInt(26) : 100;
            SimNode node = new SimNode(i, storage, tickPercent);
            node.start(config.raft(), random.nextLong(), factory);
            nodes.add(node);
        }
    }

    /** Runs to the end; throws {@link SimulationFailure} on the first violated property. */
    public SimResult run() {
        try {
            for (now = 0; now < config.steps(); now++) {
                step();
            }
            checker.checkCommittedDurable(nodes, committedConfig.voters());
        } catch (SafetyChecker.InvariantViolation | IllegalStateException e) {
            throw new SimulationFailure(config.seed(), now, e.getMessage(), e);
        }
        if (livenessStep < 0 || !liveness.done()) {
            throw new SimulationFailure(
                    config.seed(), now, "liveness: the run ended without a stable leader or an applied marker", null);
        }
        coverage.readIndexReadsServed = clients.readIndexReadsServed();
        LinearizabilityResult verdict =
                LinearizabilityChecker.check(new KvSpec(), clients.history(), LINEARIZABILITY_STEPS_MAX);
        if (verdict instanceof LinearizabilityResult.NotLinearizable(String explanation)) {
            throw new SimulationFailure(config.seed(), now, "linearizability: " + explanation, null);
        }
        return new SimResult(
                config.seed(),
                trace,
                checker.maxApplied(),
                leaderTerms.size(),
                network.delivered,
                clients.history().size(),
                verdict,
                livenessStep,
                coverage.toCoverage());
    }

    private void step() {
        if (now < config.faultSteps()) {
            Faults.inject(this, random);
        } else if (now == config.faultSteps()) {
            calm();
        }
        for (SimNode node : nodes) {
            if (node.isUp() && random.nextInt(100) < node.tickPercent) {
                boolean leading = node.raft.role() == Role.LEADER;
                node.raft.tick();
                if (leading && node.raft.role() != Role.LEADER) {
                    coverage.checkQuorumStepDowns++; // the only way a tick demotes a leader (dissertation §6.2)
                }
                drive(node);
            }
        }
        for (RaftMessage message : network.due(now)) {
            SimNode target = nodes.get(message.to());
            if (target.isUp()) {
                mix(Arrays.hashCode(RaftCodec.encode(message)));
                countDelivery(message);
                target.raft.step(message);
                drive(target);
            }
        }
        clients.step(now, this);
        if (config.persistDelayStepsMax() > 0) {
            releaseDue();
        }
        if (now % 10 == 0) {
            for (SimNode node : nodes) {
                node.storage.sync();
            }
        }
        if (now % 25 == 0) {
            checker.checkLogMatching(live());
        }
        if (now >= config.faultSteps()) {
            if (livenessStep < 0) {
                probeLiveness();
            }
            liveness.check(now, live(), checker);
        }
    }

    private void countDelivery(RaftMessage message) {
        switch (message) {
            case RaftMessage.PreVoteResponse r when !r.granted() -> coverage.preVoteRejections++;
            case RaftMessage.TimeoutNowRequest t -> timeoutNowTerms.put(t.to(), t.term());
            default -> {
                // Other messages are not counted.
            }
        }
    }

    /**
     * Handles the node's last input. Synchronously ({@link SimConfig#persistDelayStepsMax()} 0) every effect of it
     * happens here, in the order {@link Ready} prescribes; pipelined, its Readies only join the node's {@link
     * PersistPipeline} and take effect in {@link #releaseDue()}.
     */
    @Override
    public void drive(SimNode node) {
        if (config.persistDelayStepsMax() > 0) {
            if (!node.pipeline.isEmpty()) {
                coverage.inputsWhilePersisting++; // the driver did not wait for the disk: what pipelining means
            }
            hold(node);
            return;
        }
        checker.afterStep(node.raft);
        for (Ready ready = node.raft.ready(); !ready.isEmpty(); ready = node.raft.ready()) {
            if (!handle(node, ready, false)) {
                return;
            }
        }
        noteLeader(node);
    }

    /**
     * Pipelined: queues the new Ready for a persist 0..persistDelayStepsMax steps from now, behind older ones. One
     * {@code ready()} per input, not a loop until empty: until the compaction a queued Ready asked for happens, every
     * {@code ready()} repeats {@code snapshotDue}, so such a loop would never end.
     */
    private void hold(SimNode node) {
        checker.afterStep(node.raft);
        Ready ready = node.raft.ready();
        if (!ready.isEmpty()) {
            sendBeforePersist(ready); // dissertation §10.2.1: now, before this Ready or any earlier one is persisted
            if (config.sendBeforePersist()) {
                for (RaftMessage message : ready.messages()) {
                    network.send(now, message); // the canary's mistake: a promise leaves before its data is durable
                }
            }
            node.pipeline.hold(ready, now + random.nextInt(config.persistDelayStepsMax() + 1));
            coverage.readiesPipelined++;
        }
        noteLeader(node);
    }

    /**
     * Pipelined: the disk completes every due persist, oldest first, and each Ready then has its effects exactly as
     * synchronously — only now, when it and every Ready before it are durable. Applying and compacting are inputs
     * too; what they produce is queued behind the rest (and released at once if drawn due now).
     */
    private void releaseDue() {
        for (SimNode node : nodes) {
            for (int round = 0; node.isUp() && node.pipeline.isHeadDue(now); round++) {
                if (round >= RELEASE_ROUNDS_MAX) {
                    throw new IllegalStateException("node " + node.id + " keeps producing due Readies at step " + now);
                }
                while (node.isUp() && node.pipeline.isHeadDue(now)) {
                    handle(node, node.pipeline.release(), config.sendBeforePersist());
                }
                if (node.isUp()) {
                    hold(node);
                }
            }
        }
    }

    /**
     * Steps 1-6 of {@link Ready} for one Ready ({@code sent}: its messages already left, the canary); returns false if
     * the node crashed between the persist and the sends.
     */
    private boolean handle(SimNode node, Ready ready, boolean sent) {
        if (config.persistDelayStepsMax() == 0) {
            sendBeforePersist(ready); // pipelined, hold already sent them
        }
        node.storage.persist(ready.snapshotToPersist(), ready.entriesToPersist(), ready.hardState());
        reportPersisted(node, ready);
        if (now < config.faultSteps() && random.nextInt(1000) < config.crashPerMille() / 2) {
            crash(node); // between the fsync and the sends: the batch's messages never leave
            return false;
        }
        if (!sent) {
            for (RaftMessage message : ready.messages()) {
                network.send(now, message);
            }
        }
        if (ready.snapshotToInstall() != null) {
            node.stateMachine.restore(ready.snapshotToInstall());
            coverage.snapshotsInstalled++;
        }
        for (LogEntry entry : ready.committedEntries()) {
            byte[] result = node.stateMachine.apply(entry);
            mix(node.id * 31L + entry.index() * 17 + entry.term());
            if (checker.onApply(node.id, entry) && entry.payload() instanceof EntryPayload.Config(ClusterConfig c)) {
                countMembershipChange(c);
            }
            clients.onApplied(node.id, entry, result);
        }
        for (ReadState read : ready.readStates()) {
            clients.onReadState(node, read);
        }
        if (ready.snapshotDue() && isCompactionStillDue(node)) {
            node.raft.compact(node.stateMachine.appliedIndex(), node.stateMachine.snapshot());
        }
        checker.afterStep(node.raft);
        return true;
    }

    /** {@link Ready#messagesBeforePersist()}: empty unless the leader persists in parallel. */
    private void sendBeforePersist(Ready ready) {
        for (RaftMessage message : ready.messagesBeforePersist()) {
            network.send(now, message);
            coverage.messagesSentBeforePersist++;
        }
    }

    /**
     * Tells the core which entries are now on its disk ({@link RaftNode#persisted}), as the driver contract in {@link
     * Ready} requires after every persist; without parallel leader persistence the core ignores it.
     */
    private void reportPersisted(SimNode node, Ready ready) {
        if (ready.entriesToPersist().isEmpty()) {
            return;
        }
        LogEntry last = ready.entriesToPersist().getLast();
        long commitBefore = node.raft.commitIndex();
        node.raft.persisted(last.index(), last.term());
        if (node.raft.commitIndex() > commitBefore) {
            coverage.commitsOnLeaderPersist++;
        }
    }

    /**
     * Synchronously always true. Pipelined, {@code snapshotDue} can be stale: every Ready produced before the first
     * such Ready was released repeats it, and a snapshot installed from the leader meanwhile may already cover it.
     * Compacting again at or below the node's snapshot would be refused by the core, so the rule that set the flag is
     * checked again against the state now.
     */
    private boolean isCompactionStillDue(SimNode node) {
        if (config.persistDelayStepsMax() == 0) {
            return true;
        }
        long since = node.stateMachine.appliedIndex() - node.raft.snapshotIndex();
        if (since >= config.raft().snapshotThresholdEntries()) {
            return true;
        }
        coverage.staleCompactionsSkipped++;
        return false;
    }

    private void noteLeader(SimNode node) {
        if (node.raft.role() == Role.LEADER && leaderTerms.add(node.raft.term())) {
            mix(node.id * 1_000_003L + node.raft.term());
            countElection(node.raft);
        }
    }

    private void countElection(RaftNode leader) {
        coverage.electionsWon++;
        if (lastLeader != -1 && lastLeader != leader.id()) {
            coverage.leaderChanges++;
        }
        lastLeader = leader.id();
        Long timeoutNowTerm = timeoutNowTerms.remove(leader.id());
        if (timeoutNowTerm != null && leader.term() == timeoutNowTerm + 1) {
            coverage.transfersCompleted++; // dissertation §3.10: the target won the very next term
        }
    }

    /** First commit of a configuration entry anywhere (first applies happen in index order). */
    private void countMembershipChange(ClusterConfig next) {
        for (int id : next.learners()) {
            if (!committedConfig.members().contains(id)) {
                coverage.learnersAdded++;
            }
        }
        for (int id : next.voters()) {
            if (committedConfig.isLearner(id)) {
                coverage.learnersPromoted++;
            }
        }
        for (int id : committedConfig.voters()) {
            if (!next.isVoter(id)) {
                coverage.votersRemoved++;
            }
        }
        committedConfig = next;
    }

    void crash(SimNode node) {
        mix(-node.id - 1);
        coverage.readiesLostToCrash += node.pipeline.drop();
        clients.onCrash(node.id);
        // Half the crashes are quick process restarts (messages sent before the crash are still in flight), half
        // are long outages (the node falls behind and needs a snapshot).
        long down = random.nextBoolean() ? 1 + random.nextInt(8) : 20 + random.nextInt(130);
        node.crash(now + down);
        coverage.crashes++;
    }

    /** Boots the node from its storage, then checks directly that no committed entry was lost. */
    void restart(SimNode node) {
        mix(-node.id - 100);
        node.start(config.raft(), random.nextLong(), factory);
        coverage.restarts++;
        checker.checkCommittedDurable(nodes, committedConfig.voters());
    }

    /** Faults stop: heal the network, restart everyone, keep only delay (liveness needs a fair network). */
    private void calm() {
        network.heal();
        network.lossPercent = 0;
        network.duplicatePercent = 0;
        for (SimNode node : nodes) {
            if (!node.isUp()) {
                restart(node);
            }
        }
    }

    /** After the faults: a leader must get a marker applied on every member (bounded by {@link LivenessChecker}). */
    private void probeLiveness() {
        LogEntry applied = markerIndex > 0 ? checker.appliedAt(markerIndex) : null;
        if (applied != null && applied.term() != markerTerm) {
            markerIndex = 0; // overwritten before commit: propose again
        }
        if (markerIndex == 0) {
            proposeMarker();
            return;
        }
        RaftNode leader = currentLeader();
        if (applied == null || leader == null) {
            return;
        }
        for (int member : leader.membership().members()) {
            if (nodes.get(member).stateMachine.appliedIndex() < markerIndex) {
                return;
            }
        }
        livenessStep = now;
    }

    private void proposeMarker() {
        RaftNode leader = currentLeader();
        if (leader == null) {
            return;
        }
        byte[] marker = ("M" + config.seed()).getBytes(StandardCharsets.UTF_8);
        if (leader.propose(marker) instanceof Outcome.Accepted(long index, long term)) {
            markerIndex = index;
            markerTerm = term;
            liveness.onAccepted(leader, index, term, now, live());
            drive(nodes.get(leader.id()));
        }
    }

    private RaftNode currentLeader() {
        RaftNode best = null;
        for (SimNode node : nodes) {
            if (node.isUp() && node.raft.role() == Role.LEADER && (best == null || node.raft.term() > best.term())) {
                best = node.raft;
            }
        }
        return best;
    }

    List<RaftNode> live() {
        List<RaftNode> up = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node.isUp()) {
                up.add(node.raft);
            }
        }
        return up;
    }

    @Override
    public void accepted(SimNode node, long index, long term) {
        liveness.onAccepted(node.raft, index, term, now, live());
    }

    CoverageCounter coverage() {
        return coverage;
    }

    SimNetwork network() {
        return network;
    }

    SimConfig config() {
        return config;
    }

    long now() {
        return now;
    }

    @Override
    public SimNode node(int id) {
        return nodes.get(id);
    }

    @Override
    public int size() {
        return nodes.size();
    }

    private void mix(long value) {
        // FNV-1a style mixing: order-sensitive, cheap, deterministic.
        trace = (trace ^ value) * 0x100000001b3L;
    }
}
