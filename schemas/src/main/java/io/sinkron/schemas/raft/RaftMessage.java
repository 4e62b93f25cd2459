package io.sinkron.schemas.raft;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Every message Raft nodes exchange. Each carries the sender, the addressee and the sender's term (Raft §5.1: a
 * receiver with a lower term adopts it; a higher one rejects the message). Handlers dispatch with an exhaustive {@code
 * switch}, so a new message breaks the build where it is not handled (STYLE.md rule 5).
 */
public sealed interface RaftMessage {

    int from();

    int to();

    long term();

    /**
     * Pre-vote (dissertation §9.6): would you vote for me in {@code term} (my term + 1)? Receivers change no state, so
     * a node returning from a partition cannot raise the cluster's term.
     */
    record PreVoteRequest(int from, int to, long term, long lastLogIndex, long lastLogTerm) implements RaftMessage {}

    /** Answer to {@link PreVoteRequest}; {@code term} is the request's term if granted, else the voter's own. */
    record PreVoteResponse(int from, int to, long term, boolean granted) implements RaftMessage {}

    /**
     * RequestVote (Raft §5.2, §5.4.1).
     *
     * @param leadershipTransfer set when sent because of {@link TimeoutNowRequest} (dissertation §3.10): voters then
     *     vote even if they heard from a leader recently
     */
    record VoteRequest(int from, int to, long term, long lastLogIndex, long lastLogTerm, boolean leadershipTransfer)
            implements RaftMessage {}

    /** Answer to {@link VoteRequest}. */
    record VoteResponse(int from, int to, long term, boolean granted) implements RaftMessage {}

    /**
     * AppendEntries (Raft §5.3), also the heartbeat when {@code entries} is empty.
     *
     * @param readSequence the leader's ReadIndex round at sending time (dissertation §6.4); echoed in the response
     */
    record AppendEntriesRequest(
            int from,
            int to,
            long term,
            long prevLogIndex,
            long prevLogTerm,
            long leaderCommit,
            long readSequence,
            List<LogEntry> entries)
            implements RaftMessage {
        public AppendEntriesRequest {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Answer to {@link AppendEntriesRequest}.
     *
     * @param success whether the log matched at {@code prevLogIndex}
     * @param matchIndex on success, the last index known to match the leader's log
     * @param rejectedIndex on failure, the request's {@code prevLogIndex}, so a stale rejection can be recognised
     * @param conflictTerm on failure, the follower's term at {@code prevLogIndex}, 0 if its log is shorter
     * @param conflictIndex on failure, the first index of {@code conflictTerm} in the follower's log, or its last index
     *     + 1 if shorter; the leader backs off a whole term per round trip (Raft §5.3, "fast back-off")
     * @param readSequence the request's {@code readSequence}
     */
    record AppendEntriesResponse(
            int from,
            int to,
            long term,
            boolean success,
            long matchIndex,
            long rejectedIndex,
            long conflictTerm,
            long conflictIndex,
            long readSequence)
            implements RaftMessage {}

    /**
     * One chunk of InstallSnapshot (Raft §7).
     *
     * @param meta what the whole snapshot replaces
     * @param offset where {@code chunk} starts in the snapshot's bytes
     * @param chunk a slice of the snapshot, at most {@link RaftCodec#MAX_CHUNK_BYTES}
     * @param done whether this chunk is the last
     */
    record InstallSnapshotRequest(
            int from, int to, long term, SnapshotMeta meta, long offset, byte[] chunk, boolean done)
            implements RaftMessage {
        public InstallSnapshotRequest {
            Objects.requireNonNull(meta, "meta");
            chunk = Objects.requireNonNull(chunk, "chunk").clone();
            if (offset < 0) {
                throw new IllegalArgumentException("negative offset " + offset);
            }
        }

        @Override
        public byte[] chunk() {
            return chunk.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof InstallSnapshotRequest o
                    && from == o.from
                    && to == o.to
                    && term == o.term
                    && meta.equals(o.meta)
                    && offset == o.offset
                    && done == o.done
                    && Arrays.equals(chunk, o.chunk);
        }

        @Override
        public int hashCode() {
            return Objects.hash(from, to, term, meta, offset, done, Arrays.hashCode(chunk));
        }

        @Override
        public String toString() {
            return "InstallSnapshotRequest[from=" + from + ", to=" + to + ", term=" + term + ", meta=" + meta
                    + ", offset=" + offset + ", chunk=" + chunk.length + "B, done=" + done + "]";
        }
    }

    /**
     * Answer to {@link InstallSnapshotRequest}.
     *
     * @param lastIncludedIndex the snapshot being answered
     * @param nextOffset the offset the follower expects next (its received length)
     * @param done whether the follower now holds the whole snapshot (or a newer state)
     */
    record InstallSnapshotResponse(int from, int to, long term, long lastIncludedIndex, long nextOffset, boolean done)
            implements RaftMessage {}

    /** Leadership transfer (dissertation §3.10): start an election now, without pre-vote. */
    record TimeoutNowRequest(int from, int to, long term) implements RaftMessage {}
}
