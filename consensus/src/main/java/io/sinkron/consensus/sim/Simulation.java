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
 */
public final class Simulation implements KvClients.Cluster {

    /** Search budget of the linearizability check per run. */
    public static final long LINEARIZABILITY_STEPS_MAX = 2_000_000;

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

    /** Handles every effect of the node's last input, in the order {@link Ready} prescribes. */
    @Override
    public void drive(SimNode node) {
        checker.afterStep(node.raft);
        for (Ready ready = node.raft.ready(); !ready.isEmpty(); ready = node.raft.ready()) {
            node.storage.persist(ready.snapshotToPersist(), ready.entriesToPersist(), ready.hardState());
            if (now < config.faultSteps() && random.nextInt(1000) < config.crashPerMille() / 2) {
                crash(node); // between the fsync and the sends: the batch's messages never leave
                return;
            }
            for (RaftMessage message : ready.messages()) {
                network.send(now, message);
            }
            if (ready.snapshotToInstall() != null) {
                node.stateMachine.restore(ready.snapshotToInstall());
                coverage.snapshotsInstalled++;
            }
            for (LogEntry entry : ready.committedEntries()) {
                byte[] result = node.stateMachine.apply(entry);
                mix(node.id * 31L + entry.index() * 17 + entry.term());
                if (checker.onApply(node.id, entry)
                        && entry.payload() instanceof EntryPayload.Config(ClusterConfig c)) {
                    countMembershipChange(c);
                }
                clients.onApplied(node.id, entry, result);
            }
            for (ReadState read : ready.readStates()) {
                clients.onReadState(node, read);
            }
            if (ready.snapshotDue()) {
                node.raft.compact(node.stateMachine.appliedIndex(), node.stateMachine.snapshot());
            }
            checker.afterStep(node.raft);
        }
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
