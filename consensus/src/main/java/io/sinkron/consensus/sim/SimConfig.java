package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.RaftConfig;

/**
 * One simulation run. Everything random is derived from {@code seed}; the rest is fixed here, so {@code (seed,
 * config)} determines the whole history.
 *
 * <p>Liveness (checked after {@code faultSteps}, when the network heals and every crashed node restarts): within
 * {@code electionBoundSteps} a <i>stable leader</i> must exist — a leader whose term is the highest term of any node —
 * and every proposal such a leader accepts from then on must be applied, unchanged, on every member within {@code
 * commitBoundSteps} of its acceptance. Breaking either bound is a {@link SimulationFailure} naming the seed.
 *
 * @param seed the one seed
 * @param nodes initial voters, ids 0..nodes-1
 * @param spareNodes extra nodes that join as learners and may be promoted (membership changes)
 * @param steps total simulated steps
 * @param faultSteps faults happen only before this step; after it the network heals and liveness is checked
 * @param electionBoundSteps after {@code faultSteps}, the bound within which a stable leader must exist
 * @param commitBoundSteps the bound within which every proposal a stable leader accepted after the faults must be
 *     applied on every member
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
 */
public record SimConfig(
        long seed,
        int nodes,
        int spareNodes,
        int steps,
        int faultSteps,
        int electionBoundSteps,
        int commitBoundSteps,
        int lossPercent,
        int duplicatePercent,
        int maxDelaySteps,
        int crashPerMille,
        int partitionPerMille,
        int clients,
        int keys,
        boolean staleReads,
        StorageFault storageFault,
        RaftConfig raft) {

    public SimConfig {
        if (nodes < 1 || steps <= faultSteps || maxDelaySteps < 1 || clients < 0 || keys < 1) {
            throw new IllegalArgumentException("invalid simulation config: " + this);
        }
        if (electionBoundSteps < 1
                || commitBoundSteps < 1
                || faultSteps + electionBoundSteps + commitBoundSteps > steps) {
            throw new IllegalArgumentException("liveness bounds must fit after the fault phase: " + this);
        }
    }

    /** The realistic default the CI runs for every seed: 3 or 5 nodes (by seed), every fault on. */
    public static SimConfig standard(long seed) {
        int nodes = Math.floorMod(seed, 2) == 0 ? 3 : 5;
        RaftConfig raft = RaftConfig.defaults().withTimeouts(10, 2).withSnapshots(40, 96);
        return new SimConfig(
                seed, nodes, 1, 1_600, 1_100, 200, 150, 5, 2, 4, 4, 8, 3, 3, false, StorageFault.NONE, raft);
    }

    public SimConfig withStorageFault(StorageFault fault) {
        return new SimConfig(
                seed,
                nodes,
                spareNodes,
                steps,
                faultSteps,
                electionBoundSteps,
                commitBoundSteps,
                lossPercent,
                duplicatePercent,
                maxDelaySteps,
                crashPerMille,
                partitionPerMille,
                clients,
                keys,
                staleReads,
                fault,
                raft);
    }

    public SimConfig withStaleReads() {
        return new SimConfig(
                seed,
                nodes,
                spareNodes,
                steps,
                faultSteps,
                electionBoundSteps,
                commitBoundSteps,
                lossPercent,
                duplicatePercent,
                maxDelaySteps,
                crashPerMille,
                partitionPerMille,
                clients,
                keys,
                true,
                storageFault,
                raft);
    }

    /** A copy with other crash and partition rates (canaries use high ones to hit the narrow windows they break). */
    public SimConfig withFaultRates(int perMille, int partitions) {
        return new SimConfig(
                seed,
                nodes,
                spareNodes,
                steps,
                faultSteps,
                electionBoundSteps,
                commitBoundSteps,
                lossPercent,
                duplicatePercent,
                maxDelaySteps,
                perMille,
                partitions,
                clients,
                keys,
                staleReads,
                storageFault,
                raft);
    }

    /** A copy with other network faults. */
    public SimConfig withNetwork(int loss, int duplicate, int maxDelay) {
        return new SimConfig(
                seed,
                nodes,
                spareNodes,
                steps,
                faultSteps,
                electionBoundSteps,
                commitBoundSteps,
                loss,
                duplicate,
                maxDelay,
                crashPerMille,
                partitionPerMille,
                clients,
                keys,
                staleReads,
                storageFault,
                raft);
    }

    /** A copy with another core configuration (canaries shrink batches to open narrow windows). */
    public SimConfig withRaft(RaftConfig other) {
        return new SimConfig(
                seed,
                nodes,
                spareNodes,
                steps,
                faultSteps,
                electionBoundSteps,
                commitBoundSteps,
                lossPercent,
                duplicatePercent,
                maxDelaySteps,
                crashPerMille,
                partitionPerMille,
                clients,
                keys,
                staleReads,
                storageFault,
                other);
    }

    /** Fault-free, for the benchmark and quick tests. */
    public SimConfig withoutFaults() {
        return new SimConfig(
                seed,
                nodes,
                0,
                steps,
                0,
                electionBoundSteps,
                commitBoundSteps,
                0,
                0,
                1,
                0,
                0,
                clients,
                keys,
                staleReads,
                storageFault,
                raft);
    }
}
