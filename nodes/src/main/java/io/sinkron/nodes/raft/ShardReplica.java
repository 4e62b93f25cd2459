package io.sinkron.nodes.raft;

import io.sinkron.api.cluster.ShardView;
import io.sinkron.consensus.raft.Outcome;
import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.ReadState;
import io.sinkron.consensus.raft.Ready;
import io.sinkron.consensus.raft.Role;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.schemas.raft.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One local replica of one shard: its Raft core, its state machine, and the client requests waiting on them.
 * Confined to the driver thread; never shared.
 *
 * <p>A proposal's future completes when the entry at its index applies here: with the state machine's reply if the
 * entry's term is the one the proposal got (it is our entry), otherwise as {@link RaftReply.Unavailable} with
 * retry-safe true (another leader's entry replaced it, so ours never committed, Raft §5.3). A read completes once
 * its ReadIndex is confirmed and applied (dissertation §6.4).
 */
final class ShardReplica {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ShardReplica.class);

    private record PendingProposal(long term, CompletableFuture<RaftReply> reply) {}

    private record PendingRead(Function<StateMachine, byte[]> query, CompletableFuture<RaftReply> reply) {}

    private record WaitingRead(long readIndex, PendingRead read) {}

    private final int shard;
    private final RaftNode node;
    private final StateMachine stateMachine;
    private final List<String> members;
    private final NodeIds ids;
    private final TreeMap<Long, PendingProposal> proposals = new TreeMap<>();
    private final Map<Long, PendingRead> reads = new HashMap<>();
    private final List<WaitingRead> waitingReads = new ArrayList<>();
    private final ShardHooks hooks;
    private final long snapshotThresholdEntries;
    private long dutyTerm = -1;
    /** The leader last logged (none at start), so each change of leader is logged once. */
    private int loggedLeader = -1;
    // What the last published view said about leadership (driver thread only).
    private int publishedLeader = Integer.MIN_VALUE;
    private long publishedTerm = -1;
    private Role publishedRole;

    private long nextReadId = 1;
    private long proposalCount;

    ShardReplica(
            int shard,
            RaftNode node,
            StateMachine stateMachine,
            List<String> members,
            NodeIds ids,
            ShardHooks hooks,
            long snapshotThresholdEntries) {
        this.shard = shard;
        this.snapshotThresholdEntries = snapshotThresholdEntries;
        this.hooks = hooks;
        this.node = node;
        this.stateMachine = stateMachine;
        this.members = List.copyOf(members);
        this.ids = ids;
    }

    int shard() {
        return shard;
    }

    RaftNode node() {
        return node;
    }

    long proposalCount() {
        return proposalCount;
    }

    void propose(byte[] command, CompletableFuture<RaftReply> reply) {
        switch (node.propose(command)) {
            case Outcome.Accepted accepted -> {
                proposalCount++;
                proposals.put(accepted.index(), new PendingProposal(accepted.term(), reply));
            }
            case Outcome.NotLeader notLeader ->
                reply.complete(new RaftReply.NotLeader(ids.peerOf(notLeader.leaderHint())));
            case Outcome.Refused refused -> reply.complete(new RaftReply.Unavailable(refused.reason(), true));
        }
    }

    void read(Function<StateMachine, byte[]> query, boolean linearizable, CompletableFuture<RaftReply> reply) {
        if (!linearizable) {
            reply.complete(answer(query));
            return;
        }
        long requestId = nextReadId++;
        switch (node.readIndex(requestId)) {
            case Outcome.Accepted accepted -> reads.put(requestId, new PendingRead(query, reply));
            case Outcome.NotLeader notLeader ->
                reply.complete(new RaftReply.NotLeader(ids.peerOf(notLeader.leaderHint())));
            case Outcome.Refused refused -> reply.complete(new RaftReply.Unavailable(refused.reason(), true));
        }
    }

    /** Steps 3-6 of {@link Ready}, after the driver persisted it and sent its messages. */
    void afterPersist(Ready ready) {
        if (ready.snapshotToInstall() != null) {
            stateMachine.restore(ready.snapshotToInstall()); // Raft §7
            failProposalsUpTo(stateMachine.appliedIndex());
        }
        for (LogEntry entry : ready.committedEntries()) {
            byte[] result = stateMachine.apply(entry);
            if (stateMachine.appliedIndex() != entry.index()) {
                throw new IllegalStateException("shard " + shard + ": state machine at " + stateMachine.appliedIndex()
                        + " after applying " + entry.index());
            }
            completeProposal(entry, result);
        }
        if (ready.snapshotToInstall() != null || !ready.committedEntries().isEmpty()) {
            hooks.afterApply(shard, stateMachine);
        }
        for (ReadState state : ready.readStates()) {
            PendingRead read = reads.remove(state.requestId());
            if (read != null) {
                waitingReads.add(new WaitingRead(state.readIndex(), read));
            }
        }
        serveReads();
        // Raft §7 log compaction. With pipelined persistence every Ready gathered before the compaction repeats
        // snapshotDue, and an installed snapshot may already cover it: compact only if still due by this replica's
        // own applied index (see Ready).
        if (ready.snapshotDue() && stateMachine.appliedIndex() - node.snapshotIndex() >= snapshotThresholdEntries) {
            node.compact(stateMachine.appliedIndex(), stateMachine.snapshot());
        }
        if (node.role() != Role.LEADER && !reads.isEmpty()) {
            // A deposed leader's reads will not be confirmed; let the caller go to the new leader now.
            RaftReply notLeader = new RaftReply.NotLeader(ids.peerOf(node.leaderId()));
            reads.values().forEach(read -> read.reply().complete(notLeader));
            reads.clear();
        }
    }

    private void completeProposal(LogEntry entry, byte[] result) {
        PendingProposal pending = proposals.remove(entry.index());
        failProposalsUpTo(entry.index());
        if (pending == null) {
            return;
        }
        if (pending.term() == entry.term()) {
            pending.reply().complete(new RaftReply.Done(result));
        } else {
            pending.reply().complete(new RaftReply.Unavailable("leadership changed before the write committed", true));
        }
    }

    /** Proposals at or below an index that applied without being ours were overwritten (or snapshotted over). */
    private void failProposalsUpTo(long index) {
        while (!proposals.isEmpty() && proposals.firstKey() <= index) {
            proposals
                    .pollFirstEntry()
                    .getValue()
                    .reply()
                    .complete(new RaftReply.Unavailable("leadership changed before the write committed", true));
        }
    }

    private void serveReads() {
        long applied = stateMachine.appliedIndex();
        Iterator<WaitingRead> it = waitingReads.iterator();
        while (it.hasNext()) {
            WaitingRead waiting = it.next();
            if (waiting.readIndex() <= applied) {
                it.remove();
                waiting.read().reply().complete(answer(waiting.read().query()));
            }
        }
    }

    /** While leading: proposes what the services ask for (their outcome is seen when the entries apply). */
    void leaderDuties(long nowMs) {
        if (node.role() != Role.LEADER) {
            return;
        }
        boolean newTerm = node.term() != dutyTerm;
        dutyTerm = node.term();
        for (byte[] command : hooks.leaderDuties(shard, stateMachine, newTerm, nowMs)) {
            if (!(node.propose(command) instanceof Outcome.Accepted)) {
                dutyTerm = -1; // not accepted (e.g. too many uncommitted entries): ask again next tick
                return;
            }
        }
    }

    /**
     * Runs a read-only query. A query that throws is a bug of the service that built it; it fails that one request
     * (reads change nothing, so the replica stays sound) instead of stopping the node.
     */
    private RaftReply answer(Function<StateMachine, byte[]> query) {
        try {
            return new RaftReply.Done(query.apply(stateMachine));
        } catch (RuntimeException e) {
            LOG.errorf(e, "shard %d: a read query failed", shard);
            return new RaftReply.Unavailable("the read failed: " + e, false);
        }
    }

    /** Forgets requests whose callers gave up (timed out), so abandoned futures do not pile up. */
    void dropAbandoned() {
        proposals.values().removeIf(p -> p.reply().isDone());
        reads.values().removeIf(r -> r.reply().isDone());
        waitingReads.removeIf(w -> w.read().reply().isDone());
    }

    /** Fails every waiting request; the node is stopping. */
    void abandonAll(String why) {
        RaftReply reply = new RaftReply.Unavailable(why, true);
        proposals.values().forEach(p -> p.reply().complete(reply));
        reads.values().forEach(r -> r.reply().complete(reply));
        waitingReads.forEach(w -> w.read().reply().complete(reply));
        proposals.clear();
        reads.clear();
        waitingReads.clear();
    }

    /** The preferred leader, when it is not us and we lead: hand over (dissertation §3.10) so leaders spread. */
    void transferTo(int preferred) {
        if (node.role() == Role.LEADER && preferred != node.id() && node.commitIndex() == node.lastIndex()) {
            node.transferLeadership(preferred);
        }
    }

    /**
     * Logs a change of leader (as this replica sees it: a leader found, lost or replaced) once, at INFO: elections and
     * transfers are rare and each one is a gap in the shard's availability an operator wants to see next to the load
     * and the pauses that caused it.
     */
    void logLeadershipChange() {
        int leader = node.leaderId();
        if (leader == loggedLeader) {
            return;
        }
        LOG.infof(
                "raft: shard %d term %d: leader %s (before: %s), this node is %s",
                shard,
                node.term(),
                java.util.Objects.toString(ids.peerOf(leader), "none"),
                java.util.Objects.toString(ids.peerOf(loggedLeader), "none"),
                node.role().name().toLowerCase(java.util.Locale.ROOT));
        loggedLeader = leader;
    }

    /** Whether the leader, the term or this node's role changed since {@link #markPublished}. */
    boolean leadershipChangedSincePublished() {
        return node.leaderId() != publishedLeader || node.term() != publishedTerm || node.role() != publishedRole;
    }

    void markPublished() {
        publishedLeader = node.leaderId();
        publishedTerm = node.term();
        publishedRole = node.role();
    }

    ShardView view() {
        return new ShardView(
                shard,
                ids.peerOf(node.leaderId()),
                node.term(),
                node.commitIndex(),
                stateMachine.appliedIndex(),
                members);
    }
}
