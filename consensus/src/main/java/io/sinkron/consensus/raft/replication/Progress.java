package io.sinkron.consensus.raft.replication;

import java.util.ArrayDeque;

/**
 * What a leader knows about one follower's log (Raft §5.3 nextIndex/matchIndex) and how it is sending to it:
 *
 * <ul>
 *   <li>{@link State#PROBE}: the leader does not know where the logs diverge; one append at a time, each waiting for
 *       its answer or the next heartbeat, backing off on rejection.
 *   <li>{@link State#REPLICATE}: the logs match up to {@code match}; appends are pipelined optimistically, at most
 *       {@code maxInflight} unacknowledged at once (a named bound, STYLE.md rule 12).
 *   <li>{@link State#SNAPSHOT}: the entries the follower needs are compacted away; InstallSnapshot chunks flow, one
 *       at a time.
 * </ul>
 *
 * Internal to the core; single-threaded.
 */
public final class Progress {

    /** How the leader currently sends to this follower. */
    public enum State {
        PROBE,
        REPLICATE,
        SNAPSHOT
    }

    private final int maxInflight;
    private long match;
    private long next;
    private State state = State.PROBE;
    private boolean probeSent;
    private final ArrayDeque<Long> inflight = new ArrayDeque<>();
    private boolean recentActive;
    private boolean ackedSinceHeartbeat;
    private long readSequenceAcked;
    private long sentCommit;
    private long snapshotIndex;
    private long snapshotOffset;
    private long matchAtHeartbeat;
    private int periodsWithoutProgress;

    public Progress(long next, int maxInflight) {
        if (maxInflight < 1 || next < 1) {
            throw new IllegalArgumentException("next=" + next + ", maxInflight=" + maxInflight);
        }
        this.next = next;
        this.maxInflight = maxInflight;
    }

    public long match() {
        return match;
    }

    public long next() {
        return next;
    }

    public State state() {
        return state;
    }

    /** Whether another append may go out now without exceeding the in-flight window or an unanswered probe. */
    public boolean canSendAppend() {
        return switch (state) {
            case PROBE -> !probeSent;
            case REPLICATE -> inflight.size() < maxInflight;
            case SNAPSHOT -> false;
        };
    }

    /** Records that an append ending at {@code lastIndex} (prevLogIndex when empty) went out. */
    public void sentAppend(long lastIndex) {
        switch (state) {
            case PROBE -> probeSent = true;
            case REPLICATE -> {
                if (lastIndex >= next) {
                    next = lastIndex + 1;
                    inflight.addLast(lastIndex);
                }
            }
            case SNAPSHOT -> throw new IllegalStateException("append sent while sending a snapshot");
        }
    }

    /**
     * A success answer says the follower's log matches ours up to {@code matchIndex}. Returns whether {@code match}
     * grew. A successful probe switches to pipelining.
     */
    public boolean onAppendSuccess(long matchIndex) {
        boolean grew = matchIndex > match;
        if (grew) {
            match = matchIndex;
            next = Math.max(next, match + 1);
        }
        while (!inflight.isEmpty() && inflight.peekFirst() <= match) {
            inflight.removeFirst();
        }
        if (state == State.PROBE && matchIndex >= next - 1) {
            becomeReplicate();
        } else if (state == State.PROBE) {
            probeSent = false;
        }
        return grew;
    }

    /**
     * Whether a rejection of an append at {@code rejectedIndex} is news: not when it answers an append sent before
     * the leader learned better (reordered or duplicated answers).
     */
    public boolean isRejectionCurrent(long rejectedIndex) {
        return switch (state) {
            case REPLICATE -> rejectedIndex > match;
            case PROBE -> rejectedIndex == next - 1;
            case SNAPSHOT -> false;
        };
    }

    /** Back off to probing at {@code newNext}, clamped above {@code match} (never re-send what is known to match). */
    public void becomeProbe(long newNext) {
        state = State.PROBE;
        next = Math.max(match + 1, newNext);
        probeSent = false;
        inflight.clear();
    }

    /** Pipelining from just after {@code match}. */
    public void becomeReplicate() {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflight.clear();
    }

    /** Start sending the snapshot that ends at {@code index}, from its first byte. */
    public void becomeSnapshot(long index) {
        state = State.SNAPSHOT;
        snapshotIndex = index;
        snapshotOffset = 0;
        inflight.clear();
    }

    public long snapshotIndex() {
        return snapshotIndex;
    }

    public long snapshotOffset() {
        return snapshotOffset;
    }

    public void setSnapshotOffset(long offset) {
        this.snapshotOffset = offset;
    }

    /** The follower holds the snapshot ending at {@code index}: continue with appends after it. */
    public void snapshotDone(long index) {
        match = Math.max(match, index);
        becomeProbe(match + 1);
    }

    /** The oldest in-flight append was presumably lost: let one more out (etcd's "free first one" rule). */
    public void heartbeatElapsed() {
        probeSent = false;
        ackedSinceHeartbeat = false;
        periodsWithoutProgress = !inflight.isEmpty() && match == matchAtHeartbeat ? periodsWithoutProgress + 1 : 0;
        matchAtHeartbeat = match;
    }

    /**
     * Whether appends in flight seem lost: no answer at all for a heartbeat period, or answers (to heartbeats) that
     * never moved {@code match} for two periods. Without the second case a follower that lost the last appends of an
     * idle leader would answer every heartbeat and never be caught up (Raft §5.3: the leader retries indefinitely).
     * Call before {@link #heartbeatElapsed()}.
     */
    public boolean appendsStalled() {
        return !inflight.isEmpty() && (!ackedSinceHeartbeat || periodsWithoutProgress >= 2);
    }

    public boolean ackedSinceHeartbeat() {
        return ackedSinceHeartbeat;
    }

    public int inflightCount() {
        return inflight.size();
    }

    /** Any answer in the current term: the follower is alive (check-quorum, dissertation §6.2). */
    public void heardFrom(long readSequence) {
        recentActive = true;
        ackedSinceHeartbeat = true;
        readSequenceAcked = Math.max(readSequenceAcked, readSequence);
    }

    public boolean recentActive() {
        return recentActive;
    }

    public void clearRecentActive() {
        recentActive = false;
    }

    public long readSequenceAcked() {
        return readSequenceAcked;
    }

    public long sentCommit() {
        return sentCommit;
    }

    public void setSentCommit(long commit) {
        sentCommit = Math.max(sentCommit, commit);
    }
}
