package io.sinkron.consensus.raft;

import io.sinkron.consensus.raft.quorum.Quorum;
import io.sinkron.consensus.raft.read.ReadIndexQueue;
import io.sinkron.consensus.raft.replication.Progress;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesRequest;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesResponse;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotRequest;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotResponse;
import io.sinkron.schemas.raft.RaftMessage.TimeoutNowRequest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's half of replication (Raft §5.3, §7): per-follower progress, batched and pipelined appends, fast
 * back-off, snapshot sending, commitment by counting current-term replicas (§5.4.2), ReadIndex rounds (dissertation
 * §6.4), check-quorum (§6.2) and leadership transfer (§3.10). Package-private; single-threaded; lives for one term of
 * leadership.
 */
final class Leader {

    private final Core core;
    private final Map<Integer, Progress> progress = new TreeMap<>();
    private final ReadIndexQueue reads;
    private long readBroadcastSequence;
    /** Index of this term's no-op, the first entry of the term (dissertation §10.2.1; see {@link #sendsEarly()}). */
    private final long termStartIndex;

    long pendingConfigIndex;
    int transferTarget = HardState.NONE;

    Leader(Core core) {
        this.core = core;
        this.reads = new ReadIndexQueue(core.config.maxPendingReads());
        // Dissertation §4.1: a configuration not yet committed when we took over still counts as pending.
        this.pendingConfigIndex = core.membershipIndex;
        this.termStartIndex = core.log.lastIndex() + 1; // the no-op comes next
        syncMembers();
    }

    /** Adds progress for new members, drops it for removed ones (after any configuration change). */
    void syncMembers() {
        for (int member : core.membership.members()) {
            if (member != core.id) {
                progress.computeIfAbsent(
                        member, id -> new Progress(core.log.lastIndex() + 1, core.config.maxInflightAppends()));
            }
        }
        progress.keySet().removeIf(id -> !core.membership.members().contains(id));
    }

    Progress progress(int id) {
        return progress.get(id);
    }

    ReadIndexQueue reads() {
        return reads;
    }

    /** Called from {@link RaftNode#ready()}: sends whatever batching deferred (entries, commit, read rounds). */
    void flush() {
        boolean readRound = reads.sequence() > readBroadcastSequence;
        readBroadcastSequence = reads.sequence();
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            int to = e.getKey();
            Progress pr = e.getValue();
            boolean sent = false;
            while (pr.canSendAppend() && pr.next() <= core.log.lastIndex()) {
                sendAppend(to, pr);
                sent = true;
            }
            if (!sent && (readRound || pr.sentCommit() < core.commitIndex)) {
                sendHeartbeat(to, pr);
            }
        }
    }

    /** Every heartbeat period (Raft §5.2): keep authority, retransmit what seems lost, move commit along. */
    void heartbeat() {
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            int to = e.getKey();
            Progress pr = e.getValue();
            switch (pr.state()) {
                case PROBE -> {
                    pr.heartbeatElapsed();
                    sendAppend(to, pr);
                }
                case REPLICATE -> {
                    boolean stalled = pr.appendsStalled();
                    pr.heartbeatElapsed();
                    if (stalled) {
                        // No answer for a whole period with appends in flight: assume loss, resend from match.
                        pr.becomeProbe(pr.match() + 1);
                        sendAppend(to, pr);
                    } else {
                        sendHeartbeat(to, pr);
                    }
                }
                case SNAPSHOT -> {
                    boolean stalled = !pr.ackedSinceHeartbeat();
                    pr.heartbeatElapsed();
                    if (stalled || pr.snapshotIndex() != core.log.snapshotIndex()) {
                        sendSnapshotChunk(to, pr);
                    }
                    sendHeartbeat(to, pr);
                }
            }
        }
    }

    private void sendHeartbeat(int to, Progress pr) {
        // prev = match is known to match, so a heartbeat never triggers back-off and never truncates.
        long prev = pr.match();
        long prevTerm = core.log.term(prev);
        if (prevTerm == -1) {
            return; // compacted away; the snapshot transfer will re-establish the match
        }
        long commit = Math.min(core.commitIndex, prev);
        core.send(
                new AppendEntriesRequest(core.id, to, core.term(), prev, prevTerm, commit, reads.sequence(), List.of()),
                sendsEarly());
        pr.setSentCommit(core.commitIndex);
    }

    private void sendAppend(int to, Progress pr) {
        long next = pr.next();
        if (next <= core.log.snapshotIndex()) {
            // Raft §7: the entries this follower needs are gone; send the snapshot instead.
            pr.becomeSnapshot(core.log.snapshotIndex());
            sendSnapshotChunk(to, pr);
            return;
        }
        List<LogEntry> entries =
                core.log.slice(next, core.config.maxEntriesPerAppend(), core.config.maxBytesPerAppend());
        long prev = next - 1;
        core.send(
                new AppendEntriesRequest(
                        core.id,
                        to,
                        core.term(),
                        prev,
                        core.log.term(prev),
                        core.commitIndex,
                        reads.sequence(),
                        entries),
                sendsEarly());
        pr.sentAppend(entries.isEmpty() ? prev : entries.getLast().index());
        pr.setSentCommit(core.commitIndex);
    }

    /**
     * Dissertation §10.2.1: whether AppendEntries may leave before our persist. They promise nothing about our disk
     * ({@link #maybeCommit} counts us only up to the durable index) but they carry our term, which must be durable
     * before anyone hears of it, or a restart could lead the same term twice. Our term is durable once the first entry
     * of our term is: the term was handed out in the same Ready as that entry or an earlier one, persisted in order.
     * Snapshot chunks are not sent early: keeping them behind the persist costs one disk write per snapshot only.
     */
    private boolean sendsEarly() {
        return core.config.leaderPersistsInParallel() && core.durableIndex() >= termStartIndex;
    }

    private void sendSnapshotChunk(int to, Progress pr) {
        Snapshot snapshot = core.snapshot;
        if (pr.snapshotIndex() != snapshot.meta().lastIncludedIndex()) {
            pr.becomeSnapshot(snapshot.meta().lastIncludedIndex()); // compacted again meanwhile: start over
        }
        byte[] data = snapshot.data();
        int offset = (int) Math.min(pr.snapshotOffset(), data.length);
        int end = (int) Math.min((long) offset + core.config.snapshotChunkBytes(), data.length);
        byte[] chunk = Arrays.copyOfRange(data, offset, end);
        core.send(new InstallSnapshotRequest(
                core.id, to, core.term(), snapshot.meta(), offset, chunk, end == data.length));
    }

    /** Handles an answer to AppendEntries; answers from non-members are ignored. */
    void onAppendEntriesResponse(AppendEntriesResponse m) {
        Progress pr = progress.get(m.from());
        if (pr == null) {
            return;
        }
        pr.heardFrom(m.readSequence());
        if (m.success()) {
            if (pr.state() != Progress.State.SNAPSHOT && pr.onAppendSuccess(m.matchIndex())) {
                maybeCommit();
            }
            maybeSendTimeoutNow(m.from(), pr);
        } else if (pr.isRejectionCurrent(m.rejectedIndex())) {
            pr.becomeProbe(backOff(m));
            sendAppend(m.from(), pr);
        }
        releaseReads();
    }

    /** Fast back-off (Raft §5.3): skip the follower's whole conflicting term in one round trip. */
    private long backOff(AppendEntriesResponse m) {
        long next = m.conflictIndex();
        if (m.conflictTerm() > 0) {
            long ours = core.log.lastIndexOfTerm(m.conflictTerm(), m.rejectedIndex());
            if (ours > 0) {
                next = ours + 1;
            }
        }
        return Math.max(1, Math.min(next, m.rejectedIndex()));
    }

    void onInstallSnapshotResponse(InstallSnapshotResponse m) {
        Progress pr = progress.get(m.from());
        if (pr == null) {
            return;
        }
        pr.heardFrom(0);
        if (pr.state() != Progress.State.SNAPSHOT || m.lastIncludedIndex() != pr.snapshotIndex()) {
            return; // an answer about an older transfer
        }
        if (m.done()) {
            pr.snapshotDone(m.lastIncludedIndex());
            sendAppend(m.from(), pr);
        } else {
            pr.setSnapshotOffset(m.nextOffset());
            sendSnapshotChunk(m.from(), pr);
        }
        releaseReads();
    }

    /**
     * Raft §5.3 and §5.4.2: the highest index on a majority commits — but only if it is from the current term;
     * earlier-term entries commit indirectly, never by counting replicas (Figure 8). With parallel persistence
     * (dissertation §10.2.1) we count ourselves only up to what is on our own disk, as followers count only once they
     * persisted; otherwise our whole log is durable by the time any follower hears of it.
     */
    void maybeCommit() {
        Map<Integer, Long> matches = new HashMap<>();
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            matches.put(e.getKey(), e.getValue().match());
        }
        matches.put(core.id, selfMatch());
        long quorumIndex = Quorum.committedIndex(core.membership.voters(), matches);
        boolean countable = core.commitRule == CommitRule.ANY_TERM_BY_COUNTING // canary only, never public
                || core.log.term(quorumIndex) == core.term();
        if (quorumIndex > core.commitIndex && countable) {
            core.setCommitIndex(quorumIndex);
        }
    }

    private long selfMatch() {
        if (!core.config.leaderPersistsInParallel() || core.commitRule == CommitRule.COUNT_UNPERSISTED_SELF) {
            return core.log.lastIndex(); // the canary counts itself too, though it sends early: wrong
        }
        return Math.min(core.log.lastIndex(), core.durableIndex());
    }

    /** Dissertation §6.4: release reads whose heartbeat round a majority acknowledged. */
    void releaseReads() {
        if (reads.isEmpty()) {
            return;
        }
        Map<Integer, Long> acked = new HashMap<>();
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            acked.put(e.getKey(), e.getValue().readSequenceAcked());
        }
        acked.put(core.id, reads.sequence());
        long confirmed = Quorum.committedIndex(core.membership.voters(), acked);
        for (ReadIndexQueue.Pending read : reads.release(confirmed)) {
            core.readStates.add(new ReadState(read.requestId(), read.readIndex()));
        }
    }

    /** Check-quorum (dissertation §6.2): true if a majority of voters was heard from since the last check. */
    boolean quorumActive() {
        Map<Integer, Long> active = new HashMap<>();
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            active.put(e.getKey(), e.getValue().recentActive() ? 1L : 0L);
            e.getValue().clearRecentActive();
        }
        active.put(core.id, 1L);
        return Quorum.committedIndex(core.membership.voters(), active) == 1L;
    }

    /** Dissertation §3.10: once the target has our whole log, tell it to start an election now. */
    void maybeSendTimeoutNow(int target, Progress pr) {
        if (target == transferTarget && pr.match() == core.log.lastIndex()) {
            core.send(new TimeoutNowRequest(core.id, target, core.term()));
        }
    }

    void startTransfer(int target) {
        transferTarget = target;
        Progress pr = progress.get(target);
        maybeSendTimeoutNow(target, pr);
    }

    /** The leader's own entries count toward commit at once in a single-voter cluster. */
    boolean hasFollowers() {
        return !progress.isEmpty();
    }
}
