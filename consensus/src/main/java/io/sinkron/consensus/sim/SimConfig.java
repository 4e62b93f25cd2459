package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.RaftConfig;

/**
 * One simulation run. Everything random is derived from {@code seed}; the rest is fixed here, so {@code (seed,
 * config)} determines the whole history.
 *
 * <p>Liveness (checked after {@code faultSteps}, when the network heals and every crashed node restarts; see {@link
 * LivenessChecker} for the exact statement and why it is what Raft promises): within {@code electionBoundSteps} a
 * leader of the highest term of any node must exist and lead to the end of the run, with at most {@code
 * leaderChangesMax} leaderships ending on the way; every proposal a leader accepts from the heal on must be applied,
 * unchanged, on every member within {@code commitBoundSteps} of its acceptance unless that leader's leadership ended
 * first (Raft may then overwrite it). Breaking any of these is a {@link SimulationFailure} naming the seed.
 *
 * @param seed the one seed
 * @param nodes initial voters, ids 0..nodes-1
 * @param spareNodes extra nodes that join as learners and may be promoted (membership changes)
 * @param steps total simulated steps
 * @param faultSteps faults happen only before this step; after it the network heals and liveness is checked
 * @param electionBoundSteps after {@code faultSteps}, the bound within which leadership must settle on a leader of
 *     the highest term that then leads to the end of the run
 * @param commitBoundSteps the bound within which every proposal a leader accepted after the faults must be applied on
 *     every member, unless that leader's leadership ended first
 * @param leaderChangesMax most leaderships that may end after {@code faultSteps}: a leader cut off until the heal
 *     deposed by check-quorum, a leader elected at the heal superseded by a campaign begun before it, a transfer or
 *     a self-removal completing — each releases the proposals its leader had not yet committed
 * @param lossPercent chance a message is dropped
 * @param duplicatePercent chance a message is delivered twice
 * @param maxDelaySteps messages take 1..this many steps (reordering comes from differing delays)
 * @param crashPerMille chance per step that a node crashes
 * @param partitionPerMille chance per step of a partition change
 * @param clients concurrent KV clients
 * @param keys distinct keys the clients use
 * @param staleReads canary: clients read any node's local state instead of using ReadIndex
 * @param storageFault canary: storage that lies
 * @param raft the core's configuration
 * @param persistDelayStepsMax 0: every {@link io.sinkron.consensus.raft.Ready} is handled at once, before the node's
 *     next input (the strict contract). Above 0: persistence is pipelined — each Ready waits in a per-node FIFO for
 *     0..this many steps while the node keeps taking inputs, and is persisted and then acted on in FIFO order (the
 *     relaxed contract; see {@link Simulation})
 * @param sendBeforePersist canary (needs {@code persistDelayStepsMax > 0}): a Ready's messages leave when it is
 *     produced instead of after its persist
 */
public record SimConfig(
        long seed,
        int nodes,
        int spareNodes,
        int steps,
        int faultSteps,
        int electionBoundSteps,
        int commitBoundSteps,
        int leaderChangesMax,
        int lossPercent,
        int duplicatePercent,
        int maxDelaySteps,
        int crashPerMille,
        int partitionPerMille,
        int clients,
        int keys,
        boolean staleReads,
        StorageFault storageFault,
        RaftConfig raft,
        int persistDelayStepsMax,
        boolean sendBeforePersist) {

    /** Most steps a Ready may wait for its persist: far below the election timeout, as a real disk is. */
    public static final int PERSIST_DELAY_STEPS_LIMIT = 10;

    public SimConfig {
        if (nodes < 1 || steps <= faultSteps || maxDelaySteps < 1 || clients < 0 || keys < 1) {
            throw new IllegalArgumentException("invalid simulation config: " + this);
        }
        if (electionBoundSteps < 1
                || commitBoundSteps < 1
                || leaderChangesMax < 0
                || faultSteps + electionBoundSteps + commitBoundSteps > steps) {
            throw new IllegalArgumentException("liveness bounds must fit after the fault phase: " + this);
        }
        if (persistDelayStepsMax < 0
                || persistDelayStepsMax > PERSIST_DELAY_STEPS_LIMIT
                || (sendBeforePersist && persistDelayStepsMax == 0)) {
            throw new IllegalArgumentException("invalid persist pipelining: " + this);
        }
    }

    /** The realistic default the CI runs for every seed: 3 or 5 nodes (by seed), every fault on. */
    public static SimConfig standard(long seed) {
        int nodes = Math.floorMod(seed, 2) == 0 ? 3 : 5;
        RaftConfig raft = RaftConfig.defaults().withTimeouts(10, 2).withSnapshots(40, 96);
        return new SimConfig(
                seed,
                nodes,
                1,
                1_600,
                1_100,
                200,
                150,
                3,
                5,
                2,
                4,
                4,
                8,
                3,
                3,
                false,
                StorageFault.NONE,
                raft,
                0,
                false);
    }

    public SimConfig withStorageFault(StorageFault fault) {
        Copy copy = new Copy(this);
        copy.storageFault = fault;
        return copy.build();
    }

    public SimConfig withStaleReads() {
        Copy copy = new Copy(this);
        copy.staleReads = true;
        return copy.build();
    }

    /** A copy with other crash and partition rates (canaries use high ones to hit the narrow windows they break). */
    public SimConfig withFaultRates(int perMille, int partitions) {
        Copy copy = new Copy(this);
        copy.crashPerMille = perMille;
        copy.partitionPerMille = partitions;
        return copy.build();
    }

    /** A copy with other network faults. */
    public SimConfig withNetwork(int loss, int duplicate, int maxDelay) {
        Copy copy = new Copy(this);
        copy.lossPercent = loss;
        copy.duplicatePercent = duplicate;
        copy.maxDelaySteps = maxDelay;
        return copy.build();
    }

    /** A copy with another core configuration (canaries shrink batches to open narrow windows). */
    public SimConfig withRaft(RaftConfig other) {
        Copy copy = new Copy(this);
        copy.raft = other;
        return copy.build();
    }

    /** A copy whose persistence is pipelined: each Ready is persisted and acted on 0..{@code stepsMax} steps later. */
    public SimConfig withPersistDelay(int stepsMax) {
        Copy copy = new Copy(this);
        copy.persistDelayStepsMax = stepsMax;
        return copy.build();
    }

    /**
     * A copy whose leaders persist in parallel with replication (dissertation §10.2.1; {@link
     * RaftConfig#leaderPersistsInParallel()}).
     */
    public SimConfig withLeaderPersistsInParallel() {
        return withRaft(raft.withLeaderPersistsInParallel(true));
    }

    /** Canary: with pipelined persistence, messages leave before the persist that backs them. */
    public SimConfig withSendBeforePersist() {
        Copy copy = new Copy(this);
        copy.sendBeforePersist = true;
        return copy.build();
    }

    /** Fault-free, for the benchmark and quick tests. */
    public SimConfig withoutFaults() {
        Copy copy = new Copy(this);
        copy.spareNodes = 0;
        copy.faultSteps = 0;
        copy.lossPercent = 0;
        copy.duplicatePercent = 0;
        copy.maxDelaySteps = 1;
        copy.crashPerMille = 0;
        copy.partitionPerMille = 0;
        return copy.build();
    }

    /** The withers' working copy: change what differs, then build (the record's checks run on the result). */
    private static final class Copy {
        private long seed;
        private int nodes;
        private int spareNodes;
        private int steps;
        private int faultSteps;
        private int electionBoundSteps;
        private int commitBoundSteps;
        private int leaderChangesMax;
        private int lossPercent;
        private int duplicatePercent;
        private int maxDelaySteps;
        private int crashPerMille;
        private int partitionPerMille;
        private int clients;
        private int keys;
        private boolean staleReads;
        private StorageFault storageFault;
        private RaftConfig raft;
        private int persistDelayStepsMax;
        private boolean sendBeforePersist;

        Copy(SimConfig c) {
            seed = c.seed;
            nodes = c.nodes;
            spareNodes = c.spareNodes;
            steps = c.steps;
            faultSteps = c.faultSteps;
            electionBoundSteps = c.electionBoundSteps;
            commitBoundSteps = c.commitBoundSteps;
            leaderChangesMax = c.leaderChangesMax;
            lossPercent = c.lossPercent;
            duplicatePercent = c.duplicatePercent;
            maxDelaySteps = c.maxDelaySteps;
            crashPerMille = c.crashPerMille;
            partitionPerMille = c.partitionPerMille;
            clients = c.clients;
            keys = c.keys;
            staleReads = c.staleReads;
            storageFault = c.storageFault;
            raft = c.raft;
            persistDelayStepsMax = c.persistDelayStepsMax;
            sendBeforePersist = c.sendBeforePersist;
        }

        SimConfig build() {
            return new SimConfig(
                    seed,
                    nodes,
                    spareNodes,
                    steps,
                    faultSteps,
                    electionBoundSteps,
                    commitBoundSteps,
                    leaderChangesMax,
                    lossPercent,
                    duplicatePercent,
                    maxDelaySteps,
                    crashPerMille,
                    partitionPerMille,
                    clients,
                    keys,
                    staleReads,
                    storageFault,
                    raft,
                    persistDelayStepsMax,
                    sendBeforePersist);
        }
    }
}
