package io.sinkron.consensus.raft;

import io.sinkron.consensus.raft.quorum.Quorum;
import io.sinkron.consensus.raft.replication.Progress;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesRequest;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesResponse;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotRequest;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotResponse;
import io.sinkron.schemas.raft.RaftMessage.PreVoteRequest;
import io.sinkron.schemas.raft.RaftMessage.PreVoteResponse;
import io.sinkron.schemas.raft.RaftMessage.TimeoutNowRequest;
import io.sinkron.schemas.raft.RaftMessage.VoteRequest;
import io.sinkron.schemas.raft.RaftMessage.VoteResponse;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * One Raft node as a pure state machine. Inputs: {@link #tick()}, {@link #step}, {@link #propose}, {@link
 * #readIndex}, {@link #transferLeadership}, {@link #changeMembership}, {@link #compact}, {@link #persisted}. Effects
 * accumulate and are handed out by {@link #ready()}; see {@link Ready} for the order the driver must follow.
 *
 * <p>Not thread-safe: one thread owns a node. No clock, no I/O, no hidden randomness: the same inputs and the same
 * {@link RandomGenerator} sequence give the same effects, which is what makes a failing simulation seed replay.
 * Broken invariants throw {@link IllegalStateException} (our bug, STYLE.md rule 9); refusals are {@link Outcome}s.
 */
public final class RaftNode {

    private final Core core;
    private final Follower follower;
    private Leader leader;
    private final TreeMap<Integer, Boolean> votes = new TreeMap<>();
    private boolean transferCampaign;

    /**
     * Starts (or restarts) a node from what its storage recovered.
     *
     * @param random the only source of randomness (election timeouts); seed it for reproducible runs
     */
    public RaftNode(int id, RaftConfig config, RandomGenerator random, PersistentState recovered) {
        this(id, config, random, recovered, CommitRule.CURRENT_TERM_ONLY);
    }

    /** Package-private: only canary tests in this package may pick another (broken) {@link CommitRule}. */
    RaftNode(int id, RaftConfig config, RandomGenerator random, PersistentState recovered, CommitRule commitRule) {
        this.core = new Core(
                id,
                Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(random, "random"),
                Objects.requireNonNull(recovered, "recovered"),
                Objects.requireNonNull(commitRule, "commitRule"));
        this.follower = new Follower(core);
    }

    public int id() {
        return core.id;
    }

    public Role role() {
        return core.role;
    }

    public long term() {
        return core.term();
    }

    public int leaderId() {
        return core.leaderId;
    }

    public long commitIndex() {
        return core.commitIndex;
    }

    /** The latest configuration in the log, committed or not (dissertation §4.1). */
    public ClusterConfig membership() {
        return core.membership;
    }

    public long lastIndex() {
        return core.log.lastIndex();
    }

    public long snapshotIndex() {
        return core.log.snapshotIndex();
    }

    /** Term at {@code index}; -1 if compacted or beyond the end. For checkers and tests. */
    public long termAt(long index) {
        return core.log.term(index);
    }

    /** The entry at {@code index}, which must be after the snapshot and at most {@link #lastIndex()}. */
    public LogEntry entryAt(long index) {
        return core.log.entry(index);
    }

    /** One unit of logical time (Raft §5.2 timeouts are counted in ticks). */
    public void tick() {
        if (core.role == Role.LEADER) {
            tickLeader();
            return;
        }
        core.electionElapsed++;
        if (core.isVoter() && core.electionElapsed >= core.randomizedElectionTimeout) {
            becomePreCandidate();
        } else if (core.role != Role.FOLLOWER && core.electionElapsed % core.config.heartbeatTicks() == 0) {
            requestVotes(core.role == Role.CANDIDATE && transferCampaign);
        }
    }

    private void tickLeader() {
        core.electionElapsed++;
        core.heartbeatElapsed++;
        if (core.electionElapsed >= core.config.electionTimeoutTicks()) {
            core.electionElapsed = 0;
            if (!leader.quorumActive()) {
                // Check-quorum (dissertation §6.2): a leader that cannot reach a majority steps down so clients
                // look elsewhere instead of waiting on it.
                becomeFollower(core.term(), HardState.NONE);
                return;
            }
            leader.transferTarget = HardState.NONE; // a transfer that did not finish in an election timeout aborts
        }
        if (core.heartbeatElapsed >= core.config.heartbeatTicks()) {
            core.heartbeatElapsed = 0;
            leader.heartbeat();
        }
    }

    /** Delivers one message from the network. Messages addressed elsewhere are a driver bug. */
    public void step(RaftMessage message) {
        if (message.to() != core.id) {
            throw new IllegalStateException("node " + core.id + " got a message for " + message.to() + ": " + message);
        }
        if (message.term() > core.term() && !acceptHigherTerm(message)) {
            return;
        }
        if (message.term() < core.term()) {
            answerStale(message);
            return;
        }
        switch (message) {
            case PreVoteRequest m -> onPreVoteRequest(m);
            case PreVoteResponse m -> onVoteResponse(m.from(), m.term(), m.granted(), Role.PRE_CANDIDATE);
            case VoteRequest m -> onVoteRequest(m);
            case VoteResponse m -> onVoteResponse(m.from(), m.term(), m.granted(), Role.CANDIDATE);
            case AppendEntriesRequest m -> {
                acknowledgeLeader(m.from());
                follower.onAppendEntries(m);
            }
            case InstallSnapshotRequest m -> {
                acknowledgeLeader(m.from());
                follower.onInstallSnapshot(m);
            }
            case AppendEntriesResponse m -> {
                if (core.role == Role.LEADER) {
                    leader.onAppendEntriesResponse(m);
                    stepDownIfRemoved();
                }
            }
            case InstallSnapshotResponse m -> {
                if (core.role == Role.LEADER) {
                    leader.onInstallSnapshotResponse(m);
                }
            }
            case TimeoutNowRequest m -> {
                // Dissertation §3.10: campaign at once, skipping pre-vote; voters will not cite their lease.
                if (core.role == Role.FOLLOWER && core.isVoter()) {
                    becomeCandidate(true);
                }
            }
        }
    }

    /**
     * Raft §5.1: a higher term makes us a follower in it — except for what pre-vote must not disturb (dissertation
     * §9.6) and vote requests inside a leader's lease (§4.2.3), which are dropped. Returns whether to continue.
     */
    private boolean acceptHigherTerm(RaftMessage message) {
        switch (message) {
            case PreVoteRequest m -> {
                return true; // answered without adopting the term
            }
            case PreVoteResponse m
            when m.granted() -> {
                return true; // carries the term we would campaign in
            }
            case VoteRequest m
            when !m.leadershipTransfer() && core.inLease() -> {
                return false;
            }
            default -> {
                boolean fromLeader = message instanceof AppendEntriesRequest
                        || message instanceof InstallSnapshotRequest
                        || message instanceof TimeoutNowRequest;
                becomeFollower(message.term(), fromLeader ? message.from() : HardState.NONE);
                return true;
            }
        }
    }

    private void answerStale(RaftMessage message) {
        // A stale leader or pre-candidate learns our term from the answer and steps down (Raft §5.1).
        switch (message) {
            case AppendEntriesRequest m ->
                core.send(new AppendEntriesResponse(core.id, m.from(), core.term(), false, 0, -1, 0, 0, 0));
            case PreVoteRequest m -> core.send(new PreVoteResponse(core.id, m.from(), core.term(), false));
            case VoteRequest m -> core.send(new VoteResponse(core.id, m.from(), core.term(), false));
            default -> {
                // Nothing to answer: responses from old terms are simply outdated.
            }
        }
    }

    private void acknowledgeLeader(int from) {
        if (core.role == Role.LEADER) {
            throw new IllegalStateException("election safety: node " + core.id + " leads term " + core.term()
                    + " and node " + from + " claims it too");
        }
        if (core.role != Role.FOLLOWER) {
            becomeFollower(core.term(), from); // Raft §5.2: a candidate that hears from the leader of its term yields
        }
        if (core.leaderId != HardState.NONE && core.leaderId != from) {
            throw new IllegalStateException("two leaders in term " + core.term() + ": " + core.leaderId + ", " + from);
        }
        core.leaderId = from;
        core.electionElapsed = 0;
    }

    private void onPreVoteRequest(PreVoteRequest m) {
        // Dissertation §9.6: grant if the candidate could win — newer term, log at least as up-to-date — and we have
        // not heard from a leader recently. Nothing is persisted: a pre-vote promises nothing.
        boolean granted =
                m.term() > core.term() && !core.inLease() && core.log.isUpToDate(m.lastLogIndex(), m.lastLogTerm());
        core.send(new PreVoteResponse(core.id, m.from(), granted ? m.term() : core.term(), granted));
    }

    private void onVoteRequest(VoteRequest m) {
        // Raft §5.2 (one vote per term, first come) and §5.4.1 (only for an up-to-date log).
        boolean free =
                core.votedFor() == m.from() || (core.votedFor() == HardState.NONE && core.leaderId == HardState.NONE);
        boolean granted = free && core.log.isUpToDate(m.lastLogIndex(), m.lastLogTerm());
        if (granted) {
            core.vote(m.from());
            core.resetElectionTimer();
        }
        core.send(new VoteResponse(core.id, m.from(), core.term(), granted));
    }

    private void onVoteResponse(int from, long term, boolean granted, Role expected) {
        long campaignTerm = expected == Role.PRE_CANDIDATE ? core.term() + 1 : core.term();
        if (core.role != expected || term != campaignTerm) {
            return;
        }
        votes.putIfAbsent(from, granted);
        countVotes();
    }

    private void countVotes() {
        switch (Quorum.tally(core.membership.voters(), votes)) {
            case WON -> {
                if (core.role == Role.PRE_CANDIDATE) {
                    becomeCandidate(false);
                } else {
                    becomeLeader();
                }
            }
            case LOST -> becomeFollower(core.term(), HardState.NONE);
            case PENDING -> {
                // Wait for more answers or the election timeout.
            }
        }
    }

    private void becomeFollower(long term, int leaderId) {
        if (term > core.term()) {
            core.advanceTerm(term);
        }
        core.role = Role.FOLLOWER;
        core.leaderId = leaderId;
        leader = null;
        votes.clear();
        core.resetElectionTimer();
    }

    private void becomePreCandidate() {
        core.role = Role.PRE_CANDIDATE;
        core.leaderId = HardState.NONE;
        leader = null;
        core.resetElectionTimer();
        votes.clear();
        votes.put(core.id, true);
        requestVotes(false);
        countVotes();
    }

    /**
     * Asks every voter that has not answered yet; repeated each heartbeat period while campaigning, so a lost request
     * or answer costs a heartbeat rather than a whole election timeout.
     */
    private void requestVotes(boolean transfer) {
        for (int voter : otherVoters()) {
            if (votes.containsKey(voter)) {
                continue;
            }
            long lastIndex = core.log.lastIndex();
            long lastTerm = core.log.lastTerm();
            core.send(
                    core.role == Role.PRE_CANDIDATE
                            ? new PreVoteRequest(core.id, voter, core.term() + 1, lastIndex, lastTerm)
                            : new VoteRequest(core.id, voter, core.term(), lastIndex, lastTerm, transfer));
        }
    }

    private void becomeCandidate(boolean transfer) {
        // Dissertation §3.10: the re-sent requests of a transfer campaign must keep the flag, or voters still inside
        // the old leader's lease drop them and a lost first request stalls the transfer until a normal election.
        transferCampaign = transfer;
        core.advanceTerm(core.term() + 1);
        core.vote(core.id);
        core.role = Role.CANDIDATE;
        core.leaderId = HardState.NONE;
        core.resetElectionTimer();
        votes.clear();
        votes.put(core.id, true);
        for (int voter : otherVoters()) {
            core.send(
                    new VoteRequest(core.id, voter, core.term(), core.log.lastIndex(), core.log.lastTerm(), transfer));
        }
        countVotes();
    }

    private void becomeLeader() {
        core.role = Role.LEADER;
        core.leaderId = core.id;
        core.electionElapsed = 0;
        core.heartbeatElapsed = 0;
        votes.clear();
        leader = new Leader(core);
        // Raft §8 / dissertation §6.4: a no-op in the new term lets the leader commit (and learn the commit index).
        core.append(new LogEntry(core.term(), core.log.lastIndex() + 1, new EntryPayload.Noop()));
        leader.maybeCommit();
    }

    private Set<Integer> otherVoters() {
        Set<Integer> others = new TreeSet<>(core.membership.voters());
        others.remove(core.id);
        return others;
    }

    /** Dissertation §4.2.2: a leader removed from the configuration steps down once the removal commits. */
    private void stepDownIfRemoved() {
        if (core.role == Role.LEADER && !core.isVoter() && core.commitIndex >= core.membershipIndex) {
            becomeFollower(core.term(), HardState.NONE);
        }
    }

    /**
     * Appends a command to the leader's log (Raft §5.3). It is sent at the next {@link #ready()}, batched with every
     * other proposal made since.
     */
    public Outcome propose(byte[] command) {
        Outcome refusal = refuseUnlessLeader();
        if (refusal != null) {
            return refusal;
        }
        if (core.log.lastIndex() - core.commitIndex >= core.config.maxUncommittedEntries()) {
            return new Outcome.Refused("too many uncommitted entries: " + core.config.maxUncommittedEntries());
        }
        return appendAsLeader(new EntryPayload.Command(command.clone())); // the entry takes its array over
    }

    private Outcome refuseUnlessLeader() {
        if (core.role != Role.LEADER) {
            return new Outcome.NotLeader(core.leaderId);
        }
        if (leader.transferTarget != HardState.NONE) {
            // Dissertation §3.10: the old leader stops taking requests while the transfer runs.
            return new Outcome.Refused("leadership transfer to " + leader.transferTarget + " in progress");
        }
        return null;
    }

    private Outcome appendAsLeader(EntryPayload payload) {
        LogEntry entry = new LogEntry(core.term(), core.log.lastIndex() + 1, payload);
        core.append(entry);
        if (payload instanceof EntryPayload.Config) {
            leader.syncMembers();
            leader.pendingConfigIndex = entry.index();
        }
        leader.maybeCommit();
        return new Outcome.Accepted(entry.index(), entry.term());
    }

    /**
     * Starts a linearizable read (dissertation §6.4). When it is safe, {@code requestId} appears in {@link
     * Ready#readStates()} with the index the state machine must reach before answering.
     */
    public Outcome readIndex(long requestId) {
        if (core.role != Role.LEADER) {
            return new Outcome.NotLeader(core.leaderId);
        }
        if (core.log.term(core.commitIndex) != core.term()) {
            // Until its no-op commits, a new leader does not know the latest commit index.
            return new Outcome.Refused("leader has not committed an entry in its term yet");
        }
        if (leader.reads().isFull()) {
            return new Outcome.Refused("too many pending reads: " + core.config.maxPendingReads());
        }
        leader.reads().add(requestId, core.commitIndex);
        leader.releaseReads(); // immediate in a single-voter cluster
        return new Outcome.Accepted(core.commitIndex, core.term());
    }

    /** Hands leadership to {@code target} (dissertation §3.10); aborts if not done within an election timeout. */
    public Outcome transferLeadership(int target) {
        Outcome refusal = refuseUnlessLeader();
        if (refusal != null) {
            return refusal;
        }
        if (target == core.id || !core.membership.isVoter(target)) {
            return new Outcome.Refused("transfer target " + target + " is not another voter");
        }
        core.electionElapsed = 0;
        leader.startTransfer(target);
        return new Outcome.Accepted(0, core.term());
    }

    /**
     * Proposes a new configuration (dissertation §4.1, single-server changes): it may add or remove learners freely
     * but change the voter set by at most one server; a voter may only be added if it was a learner that has caught
     * up (§4.2.1). One change at a time, and only after the leader has committed an entry in its term (the fix to the
     * single-server change bug, Ongaro 2015).
     */
    public Outcome changeMembership(ClusterConfig next) {
        Outcome refusal = refuseUnlessLeader();
        if (refusal != null) {
            return refusal;
        }
        String problem = membershipProblem(next);
        return problem != null ? new Outcome.Refused(problem) : appendAsLeader(new EntryPayload.Config(next));
    }

    private String membershipProblem(ClusterConfig next) {
        if (leader.pendingConfigIndex > core.commitIndex) {
            return "configuration change at " + leader.pendingConfigIndex + " not committed yet";
        }
        if (core.log.term(core.commitIndex) != core.term()) {
            return "leader has not committed an entry in its term yet";
        }
        Set<Integer> added = new TreeSet<>(next.voters());
        added.removeAll(core.membership.voters());
        Set<Integer> removed = new TreeSet<>(core.membership.voters());
        removed.removeAll(next.voters());
        if (added.size() + removed.size() > 1 || next.voters().isEmpty()) {
            return "voters may change by one server at a time and never to none: " + next;
        }
        for (int voter : added) {
            Progress pr = leader.progress(voter);
            if (!core.membership.isLearner(voter)
                    || pr == null
                    || pr.match() + core.config.learnerCatchUpEntries() < core.log.lastIndex()) {
                return "node " + voter + " must first be a learner that has caught up";
            }
        }
        return null;
    }

    /**
     * Log compaction (Raft §7): the state machine's snapshot as of {@code index} (its applied index) replaces every
     * entry up to it. Call when {@link Ready#snapshotDue()} said so, or whenever the driver likes.
     */
    public void compact(long index, byte[] data) {
        if (index > core.appliedIndex || index <= core.log.snapshotIndex()) {
            throw new IllegalStateException(
                    "compact at " + index + " outside (" + core.log.snapshotIndex() + ", " + core.appliedIndex + "]");
        }
        SnapshotMeta meta = new SnapshotMeta(index, core.log.term(index), core.log.configAt(index));
        core.compact(new Snapshot(meta, data));
    }

    /**
     * The driver's report that a persist completed whose entries ended at {@code index} with {@code term}: the log up
     * to there is on this node's disk (dissertation §10.2.1). Call it after each {@link Ready}'s persist that held
     * entries, in persist order, with the last of its {@link Ready#entriesToPersist()}; calling it late only delays
     * commitment. Ignored if the log no longer holds that entry (a conflicting suffix replaced it since), if it is
     * compacted, or if it adds nothing; never raises the durable index past {@link #lastIndex()}. A leader may commit
     * on it, so call {@link #ready()} afterwards. Only matters with {@link RaftConfig#leaderPersistsInParallel()};
     * otherwise harmless and without effect. Idempotent; never throws.
     */
    public void persisted(long index, long term) {
        if (core.markDurable(index, term) && core.config.leaderPersistsInParallel() && core.role == Role.LEADER) {
            leader.maybeCommit();
            stepDownIfRemoved();
        }
    }

    /** Drains every effect accumulated since the last call; see {@link Ready} for what the driver must do. */
    public Ready ready() {
        if (core.role == Role.LEADER) {
            leader.flush();
        }
        return core.drain();
    }
}
