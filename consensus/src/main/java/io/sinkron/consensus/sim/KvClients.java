package io.sinkron.consensus.sim;

import io.sinkron.consensus.check.KvSpec;
import io.sinkron.consensus.check.Operation;
import io.sinkron.consensus.raft.Outcome;
import io.sinkron.consensus.raft.ReadState;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulated clients of the replicated key-value register, each with at most one operation outstanding, recording the
 * history the linearizability checker judges. A put completes when the node it was proposed to applies it; a get uses
 * ReadIndex (dissertation §6.4) unless the stale-read canary is on. An operation whose fate is unknown (node crashed,
 * timeout) is recorded as pending; one that provably had no effect (refused, overwritten, read abandoned) is not
 * recorded. Single-threaded.
 */
final class KvClients {

    static final int TIMEOUT_STEPS = 150;

    private static final class Client {
        final int id;
        KvSpec.Input input;
        long invokedAt;
        int node = -1;
        long index;
        long term;
        long readId;
        long nextAt;
        int leaderGuess;
        int counter;

        Client(int id) {
            this.id = id;
        }
    }

    interface Cluster {
        SimNode node(int id);

        int size();

        void drive(SimNode node);

        /** {@code node} accepted a proposal at {@code index} in {@code term} (for the liveness check). */
        void accepted(SimNode node, long index, long term);
    }

    private final SplittableRandom random;
    private final int keys;
    private final boolean staleReads;
    private final List<Client> clients = new ArrayList<>();
    private final List<Operation<KvSpec.Input, KvSpec.Output>> history = new ArrayList<>();
    private long nextReadId = 1;
    private long now;
    private long readIndexReadsServed;

    KvClients(SplittableRandom random, int count, int keys, boolean staleReads) {
        this.random = random;
        this.keys = keys;
        this.staleReads = staleReads;
        for (int i = 0; i < count; i++) {
            clients.add(new Client(i));
        }
    }

    List<Operation<KvSpec.Input, KvSpec.Output>> history() {
        return history;
    }

    void step(long step, Cluster cluster) {
        now = step;
        for (Client c : clients) {
            if (c.input == null && now >= c.nextAt) {
                begin(c);
            }
            if (c.input != null && c.node < 0) {
                submit(c, cluster);
            } else if (c.input != null && now - c.invokedAt > TIMEOUT_STEPS) {
                giveUp(c, c.input instanceof KvSpec.Put);
            }
        }
    }

    private void begin(Client c) {
        String key = "k" + random.nextInt(keys);
        c.input = random.nextInt(100) < 50 ? new KvSpec.Put(key, "c" + c.id + "-" + c.counter++) : new KvSpec.Get(key);
        c.invokedAt = now;
        c.node = -1;
    }

    private void submit(Client c, Cluster cluster) {
        SimNode node = cluster.node(c.leaderGuess);
        if (!node.isUp()) {
            c.leaderGuess = random.nextInt(cluster.size());
            return;
        }
        Outcome outcome;
        switch (c.input) {
            case KvSpec.Put put -> outcome = node.raft.propose(KvStateMachine.put(put.key(), put.value()));
            case KvSpec.Get get
            when staleReads -> {
                complete(c, new KvSpec.Value(node.kv().get(get.key())));
                return;
            }
            case KvSpec.Get get -> {
                c.readId = nextReadId++;
                outcome = node.raft.readIndex(c.readId);
            }
            case KvSpec.Cas cas -> throw new IllegalStateException("clients issue no compare-and-set: " + cas);
        }
        switch (outcome) {
            case Outcome.Accepted accepted -> {
                c.node = node.id;
                c.index = accepted.index();
                c.term = accepted.term();
                if (c.input instanceof KvSpec.Put) {
                    cluster.accepted(node, accepted.index(), accepted.term());
                }
            }
            case Outcome.NotLeader notLeader ->
                c.leaderGuess = notLeader.leaderHint() >= 0 ? notLeader.leaderHint() : random.nextInt(cluster.size());
            case Outcome.Refused refused -> c.leaderGuess = random.nextInt(cluster.size());
        }
        cluster.drive(node);
    }

    void onApplied(int nodeId, LogEntry entry, byte[] result) {
        for (Client c : clients) {
            if (c.input instanceof KvSpec.Put && c.node == nodeId && c.index == entry.index()) {
                if (entry.term() == c.term) {
                    complete(c, new KvSpec.Ok());
                } else {
                    // Another entry holds our (index, term) slot's index: ours can never commit (Raft §5.3).
                    giveUp(c, false);
                }
            }
        }
    }

    void onReadState(SimNode node, ReadState read) {
        for (Client c : clients) {
            if (c.input instanceof KvSpec.Get get && c.node == node.id && c.readId == read.requestId()) {
                if (node.stateMachine.appliedIndex() < read.readIndex()) {
                    throw new IllegalStateException("read " + read + " served before apply reached it on node "
                            + node.id + " (applied " + node.stateMachine.appliedIndex() + ")");
                }
                readIndexReadsServed++;
                complete(c, new KvSpec.Value(node.kv().get(get.key())));
            }
        }
    }

    long readIndexReadsServed() {
        return readIndexReadsServed;
    }

    /** The node crashed: puts it held may or may not have committed; its reads are abandoned. */
    void onCrash(int nodeId) {
        for (Client c : clients) {
            if (c.input != null && c.node == nodeId) {
                giveUp(c, c.input instanceof KvSpec.Put);
            }
        }
    }

    private void complete(Client c, KvSpec.Output output) {
        history.add(new Operation<>(c.id, c.input, output, c.invokedAt, now));
        next(c);
    }

    private void giveUp(Client c, boolean mayHaveTakenEffect) {
        if (mayHaveTakenEffect) {
            history.add(Operation.pending(c.id, c.input, c.invokedAt));
        }
        next(c);
    }

    private void next(Client c) {
        c.input = null;
        c.node = -1;
        c.nextAt = now + 1 + random.nextInt(12);
    }
}
