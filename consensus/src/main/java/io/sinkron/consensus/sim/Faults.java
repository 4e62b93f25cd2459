package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.Role;
import io.sinkron.schemas.raft.ClusterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The fault schedule of the fault phase, drawn from the run's seed each step: crashes and restarts, symmetric
 * splits, isolated nodes and one-way link cuts (asymmetric partitions), heals, leadership transfers and membership
 * changes (add learner, promote, remove voter). Stateless; package-private.
 */
final class Faults {

    private static final int TRANSFER_PER_MILLE = 3;
    private static final int MEMBERSHIP_PER_MILLE = 4;

    private Faults() {}

    static void inject(Simulation sim, SplittableRandom random) {
        SimConfig config = sim.config();
        for (int i = 0; i < sim.size(); i++) {
            SimNode node = sim.node(i);
            if (!node.isUp() && sim.now() >= node.downUntilStep) {
                sim.restart(node);
            }
        }
        if (random.nextInt(1000) < config.crashPerMille()) {
            SimNode victim = sim.node(random.nextInt(sim.size()));
            if (victim.isUp()) {
                sim.crash(victim);
            }
        }
        if (random.nextInt(1000) < config.partitionPerMille()) {
            partition(sim, random);
        }
        RaftNode leader = leader(sim);
        if (leader != null && random.nextInt(1000) < TRANSFER_PER_MILLE) {
            List<Integer> voters = new ArrayList<>(leader.membership().voters());
            leader.transferLeadership(voters.get(random.nextInt(voters.size())));
            sim.drive(sim.node(leader.id()));
        }
        if (leader != null && config.spareNodes() > 0 && random.nextInt(1000) < MEMBERSHIP_PER_MILLE) {
            leader.changeMembership(nextMembership(leader.membership(), sim.size(), config.nodes(), random));
            sim.drive(sim.node(leader.id()));
        }
    }

    private static void partition(Simulation sim, SplittableRandom random) {
        SimNetwork network = sim.network();
        int size = sim.size();
        int kind = random.nextInt(100);
        if (kind < 40) {
            network.heal();
            return;
        }
        sim.coverage().partitions++;
        if (kind < 70) {
            boolean[] side = new boolean[size];
            for (int i = 0; i < size; i++) {
                side[i] = random.nextBoolean();
            }
            network.split(side);
        } else if (kind < 85) {
            boolean[] side = new boolean[size];
            side[random.nextInt(size)] = true;
            network.split(side);
        } else {
            int from = random.nextInt(size);
            int to = random.nextInt(size);
            if (from != to) {
                network.block(from, to); // asymmetric: from's messages to `to` vanish, the reverse flows
            }
        }
    }

    /** Cycles the cluster through single-server changes: add a learner, promote it, remove a voter. */
    private static ClusterConfig nextMembership(ClusterConfig now, int total, int baseVoters, SplittableRandom random) {
        TreeSet<Integer> voters = new TreeSet<>(now.voters());
        TreeSet<Integer> learners = new TreeSet<>(now.learners());
        if (!learners.isEmpty()) {
            int promoted = learners.first();
            learners.remove(promoted);
            voters.add(promoted);
        } else if (voters.size() > baseVoters) {
            List<Integer> list = new ArrayList<>(voters);
            voters.remove(list.get(random.nextInt(list.size())));
        } else {
            for (int id = 0; id < total; id++) {
                if (!voters.contains(id)) {
                    learners.add(id);
                    break;
                }
            }
        }
        return new ClusterConfig(voters, learners);
    }

    private static RaftNode leader(Simulation sim) {
        for (int i = 0; i < sim.size(); i++) {
            SimNode node = sim.node(i);
            if (node.isUp() && node.raft.role() == Role.LEADER) {
                return node.raft;
            }
        }
        return null;
    }
}
