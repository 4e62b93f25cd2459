package io.sinkron.consensus.raft;

import io.sinkron.consensus.raft.log.RaftLog;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The state every role shares — persistent (term, vote, log), volatile (commit, applied, role, timers) — and the
 * effects accumulated for the next {@link Ready}. Mutations that must reach storage go through the methods here, so
 * nothing durable can change without being marked for persistence. Package-private; single-threaded.
 */
final class Core {

    final int id;
    final RaftConfig config;
    final RaftLog log;
    private final RandomGenerator random;
    final CommitRule commitRule;

    private long term;
    private int votedFor;
    private boolean hardStateDirty;

    Role role = Role.FOLLOWER;
    int leaderId = HardState.NONE;
    long commitIndex;
    long appliedIndex;
    ClusterConfig membership;
    long membershipIndex;
    Snapshot snapshot;

    int electionElapsed;
    int heartbeatElapsed;
    int randomizedElectionTimeout;

    /**
     * Highest index of this node's log known to be on its own disk (dissertation §10.2.1), at most the last index.
     * Raised only by {@link RaftNode#persisted}; lowered when a truncation removes entries it covered.
     */
    private long durableIndex;

    private long unstableFrom = Long.MAX_VALUE;
    /** Messages that may leave before the persist ({@link Ready#messagesBeforePersist()}). */
    final List<RaftMessage> outboxBeforePersist = new ArrayList<>();

    final List<RaftMessage> outbox = new ArrayList<>();
    Snapshot snapshotToPersist;
    Snapshot snapshotToInstall;
    final List<ReadState> readStates = new ArrayList<>();

    Core(int id, RaftConfig config, RandomGenerator random, PersistentState state, CommitRule commitRule) {
        this.id = id;
        this.config = config;
        this.random = random;
        this.commitRule = commitRule;
        this.term = state.hardState().term();
        this.votedFor = state.hardState().votedFor();
        this.snapshot = state.snapshot();
        this.log = new RaftLog(state.snapshot().meta(), state.entries());
        // Raft §5.1: commit and applied are volatile; after a restart only the snapshot is known to be applied.
        this.commitIndex = log.snapshotIndex();
        this.appliedIndex = log.snapshotIndex();
        this.durableIndex = log.lastIndex(); // everything loaded came from the disk
        refreshMembership();
        resetElectionTimer();
    }

    long term() {
        return term;
    }

    int votedFor() {
        return votedFor;
    }

    /** Adopts a newer term (Raft §5.1): the vote of the old term does not carry over. */
    void advanceTerm(long newTerm) {
        if (newTerm <= term) {
            throw new IllegalStateException("term must grow: " + term + " -> " + newTerm);
        }
        term = newTerm;
        votedFor = HardState.NONE;
        hardStateDirty = true;
    }

    /** Raft §5.2: at most one vote per term, durable before the answer leaves. */
    void vote(int candidate) {
        if (votedFor != HardState.NONE && votedFor != candidate) {
            throw new IllegalStateException("second vote in term " + term + ": " + votedFor + " then " + candidate);
        }
        votedFor = candidate;
        hardStateDirty = true;
    }

    void resetElectionTimer() {
        electionElapsed = 0;
        // Raft §5.2: randomized timeouts in [T, 2T) make split votes rare.
        randomizedElectionTimeout = config.electionTimeoutTicks() + random.nextInt(config.electionTimeoutTicks());
    }

    boolean isVoter() {
        return membership.isVoter(id);
    }

    /** Dissertation §4.2.3 / §9.6: heard from a live leader within the minimum election timeout. */
    boolean inLease() {
        return leaderId != HardState.NONE && electionElapsed < config.electionTimeoutTicks();
    }

    void send(RaftMessage message) {
        if (message.from() != id || message.to() == id) {
            throw new IllegalStateException("bad addressing from node " + id + ": " + message);
        }
        outbox.add(message);
    }

    /**
     * Sends a message that promises nothing about this node's disk, so it may leave before the persist when {@code
     * early} (a leader's AppendEntries, dissertation §10.2.1); otherwise like {@link #send}.
     */
    void send(RaftMessage message, boolean early) {
        if (!early) {
            send(message);
            return;
        }
        if (message.from() != id || message.to() == id) {
            throw new IllegalStateException("bad addressing from node " + id + ": " + message);
        }
        outboxBeforePersist.add(message);
    }

    long durableIndex() {
        return durableIndex;
    }

    /**
     * The driver finished persisting entries up to {@code index}, the last of them of {@code term}. Ignored unless our
     * log still holds that entry: if it does, the whole prefix up to it is the one that was persisted (Log Matching,
     * Raft §5.3), while a replaced entry says nothing about the entries now in its place. Returns whether it rose.
     */
    boolean markDurable(long index, long term) {
        if (index <= durableIndex || index <= log.snapshotIndex() || !log.matches(index, term)) {
            return false;
        }
        durableIndex = index;
        return true;
    }
    /** Appends a local entry (leader) or one received from the leader (follower); marks it for persistence. */
    void append(LogEntry entry) {
        log.append(entry);
        unstableFrom = Math.min(unstableFrom, entry.index());
        if (entry.payload() instanceof EntryPayload.Config(ClusterConfig next)) {
            // Dissertation §4.1: a server uses the latest configuration in its log, committed or not.
            membership = next;
            membershipIndex = entry.index();
        }
    }

    /** Removes a conflicting suffix (Raft §5.3); committed entries can never conflict (Leader Completeness §5.4). */
    void truncateFrom(long index) {
        if (index <= commitIndex) {
            throw new IllegalStateException(
                    "node " + id + " would truncate committed entry " + index + " (commit " + commitIndex + ")");
        }
        log.truncateFrom(index);
        unstableFrom = Math.min(unstableFrom, index);
        durableIndex = Math.min(durableIndex, index - 1); // the entries taking their place are not on disk yet
        if (membershipIndex >= index) {
            refreshMembership();
        }
    }

    /** Installs a snapshot from the leader (Raft §7). */
    void installSnapshot(Snapshot received) {
        long index = received.meta().lastIncludedIndex();
        if (index <= commitIndex) {
            throw new IllegalStateException("install of snapshot " + index + " at or below commit " + commitIndex);
        }
        log.restore(received.meta());
        coverSnapshot();
        snapshot = received;
        snapshotToPersist = received;
        snapshotToInstall = received;
        commitIndex = index;
        appliedIndex = index;
        unstableFrom = Math.max(unstableFrom, log.firstIndex());
        refreshMembership();
    }

    /** Compacts the log up to {@code taken}'s index (Raft §7). */
    void compact(Snapshot taken) {
        log.compact(taken.meta());
        coverSnapshot();
        snapshot = taken;
        snapshotToPersist = taken;
        unstableFrom = Math.max(unstableFrom, log.firstIndex());
    }

    /**
     * After a compaction or an installed snapshot: the durable index stays within the log (a restore may discard it
     * whole) and counts the snapshot as durable even before its persist completes. That never commits anything early:
     * a snapshot covers only committed entries, already durable on a majority, so its index is at most the commit
     * index, and the leader's own count can only matter for indexes above the commit index.
     */
    private void coverSnapshot() {
        durableIndex = Math.max(Math.min(durableIndex, log.lastIndex()), log.snapshotIndex());
    }

    void setCommitIndex(long index) {
        if (index < commitIndex || index > log.lastIndex()) {
            throw new IllegalStateException(
                    "commit " + commitIndex + " -> " + index + " (last " + log.lastIndex() + ")");
        }
        commitIndex = index;
    }

    private void refreshMembership() {
        membershipIndex = log.lastConfigIndex();
        membership = log.configAt(log.lastIndex());
    }

    /** Drains the accumulated effects (everything but the leader's broadcast, which the node adds first). */
    Ready drain() {
        HardState hard = hardStateDirty ? new HardState(term, votedFor) : null;
        hardStateDirty = false;
        List<LogEntry> entries = List.of();
        if (unstableFrom <= log.lastIndex()) {
            entries = log.slice(unstableFrom, Integer.MAX_VALUE, Long.MAX_VALUE);
        }
        unstableFrom = Long.MAX_VALUE;
        List<LogEntry> committed = List.of();
        if (appliedIndex < commitIndex) {
            committed = log.slice(appliedIndex + 1, (int) (commitIndex - appliedIndex), Long.MAX_VALUE);
            appliedIndex = commitIndex;
        }
        boolean snapshotDue = appliedIndex - log.snapshotIndex() >= config.snapshotThresholdEntries();
        Ready ready = new Ready(
                hard,
                snapshotToPersist,
                entries,
                List.copyOf(outboxBeforePersist),
                List.copyOf(outbox),
                snapshotToInstall,
                committed,
                List.copyOf(readStates),
                snapshotDue);
        outboxBeforePersist.clear();
        outbox.clear();
        readStates.clear();
        snapshotToPersist = null;
        snapshotToInstall = null;
        return ready;
    }
}
