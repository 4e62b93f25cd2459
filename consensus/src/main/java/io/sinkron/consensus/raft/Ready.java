package io.sinkron.consensus.raft;

import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.List;

/**
 * One batch of effects from {@link RaftNode#ready()}. The driver handles the fields of one Ready <b>in this order</b>:
 *
 * <ol>
 *   <li value="0">Only with {@link RaftConfig#leaderPersistsInParallel()} (always empty otherwise): send {@code
 *       messagesBeforePersist} as soon as the Ready is produced, before or while step 1 runs — a pipelined driver
 *       also before earlier Readies are persisted (dissertation §10.2.1; see below).
 *   <li>Persist, through {@link RaftStorage#persist}: {@code snapshotToPersist}, then {@code entriesToPersist}, then
 *       {@code hardState}. Durable before step 2: a vote or an acknowledgement is a promise about stable storage (Raft
 *       §5.1, §5.2), so its message must not leave before the data it vouches for. Only with {@link
 *       RaftConfig#leaderPersistsInParallel()}: once the persist has completed, call {@link RaftNode#persisted} with
 *       the index and term of the last entry of {@code entriesToPersist} (if it held any).
 *   <li>Send {@code messages}, in any order, each at most once per batch (the network may still lose, duplicate or
 *       reorder them).
 *   <li>If {@code snapshotToInstall} is not null, restore the state machine from it (Raft §7).
 *   <li>Apply {@code committedEntries} in order. They are committed (Raft §5.3) and already durable here by step 1.
 *   <li>Answer each {@code readStates} request once the state machine has applied its {@code readIndex}
 *       (dissertation §6.4).
 *   <li>If {@code snapshotDue}, take a state-machine snapshot at its applied index and give it to {@link
 *       RaftNode#compact} (Raft §7, log compaction).
 * </ol>
 *
 * <p><b>Synchronous driver</b> (the simplest): handle every Ready completely before giving the node its next input,
 * calling {@code ready()} until it returns an empty Ready.
 *
 * <p><b>Pipelined driver</b> (persistence overlaps further inputs): the driver MAY give the node further inputs
 * ({@code step}, {@code tick}, {@code propose}, ...) and call {@code ready()} again before earlier Readies are
 * handled, provided that
 *
 * <ul>
 *   <li>it handles Readies strictly in the order {@code ready()} returned them (FIFO);
 *   <li>it persists them in that order (step 1 of a later Ready never before step 1 of an earlier one completed);
 *   <li>it does a Ready's steps 2–6 only after the persists of that Ready <i>and of every earlier Ready</i> have
 *       completed, and steps 2–6 of one Ready before those of any later one;
 *   <li>a crash discards every Ready whose persist had not completed: none of its steps 2–6 may ever happen (the node
 *       restarts from {@link RaftStorage#load} only);
 *   <li>it calls {@code ready()} once per input (or stops at the first Ready that holds nothing but {@code
 *       snapshotDue}): until the driver compacts, every call repeats {@code snapshotDue}, so looping until empty never
 *       ends;
 *   <li>before step 6 it checks the flag again against the state now — for example that the state machine's applied
 *       index is still at least {@link RaftConfig#snapshotThresholdEntries()} past {@link RaftNode#snapshotIndex()} —
 *       because an earlier Ready's compaction, or a snapshot installed from the leader, may already have served it;
 *       {@link RaftNode#compact} refuses an index at or below the snapshot.
 * </ul>
 *
 * <p><b>Parallel leader persistence</b> ({@link RaftConfig#leaderPersistsInParallel()}, dissertation §10.2.1): a
 * leader's own disk write leaves the critical path. The AppendEntries requests and heartbeats a leader sends go into
 * {@code messagesBeforePersist}: they promise nothing about the leader's disk, because the leader counts itself toward
 * the commit quorum only up to the index the driver reported through {@link RaftNode#persisted} — so an entry still
 * commits only once it is durable on a majority, the leader among them only if its own disk holds it. Until the first
 * entry of its term is reported durable, a leader still puts them in {@code messages}: they carry its term, which must
 * be durable before anyone hears of it (a single-voter leader wins in the same input that adopts the term), and a
 * durable entry of the term implies the term is too. Every other message (votes, vote and pre-vote requests, append and
 * snapshot responses, snapshot chunks, TimeoutNow) still waits for step 1. The driver must call {@link
 * RaftNode#persisted} after each persist, in persist order; calling it late only delays commitment, never calling it
 * leaves the leader unable to commit. Every other rule above (FIFO, crashes, steps 2–6 only after the persist) is
 * unchanged.
 *
 * <p>This is safe with the same core because every externally visible effect of a Ready (a message, an apply, a read
 * answer), {@code messagesBeforePersist} apart, still happens only after all the state the core held when it produced
 * that Ready is durable: a message vouches only for state at or before its Ready, and that state was handed out in that
 * Ready or an earlier one. {@code RaftDeferredPersistSimTest} (module {@code consensus}, package {@code
 * io.sinkron.consensus.sim}) checks it under crashes, partitions and membership changes with each Ready held 0..3
 * steps; {@code RaftSendBeforePersistCanarySimTest} shows that sending before the persist is caught. {@code
 * RaftParallelLeaderPersistSimTest} checks parallel leader persistence the same way, and {@code
 * RaftParallelPersistCanarySimTest} (package {@code io.sinkron.consensus.raft}) shows that a leader counting entries
 * not yet on its disk is caught.
 *
 * @param hardState new term/vote to persist, or null if unchanged
 * @param snapshotToPersist a snapshot that became the node's latest (installed from the leader or taken locally), or
 *     null
 * @param entriesToPersist entries to write; they replace any stored suffix from the first one's index
 * @param messagesBeforePersist a leader's AppendEntries requests and heartbeats, to send at once, before the persist
 *     (only with {@link RaftConfig#leaderPersistsInParallel()}; empty otherwise)
 * @param messages to send after the persist
 * @param snapshotToInstall a snapshot received from the leader to restore into the state machine, or null
 * @param committedEntries newly committed entries to apply, in index order
 * @param readStates reads now safe to serve
 * @param snapshotDue whether the log grew past the compaction threshold since the last snapshot
 */
public record Ready(
        HardState hardState,
        Snapshot snapshotToPersist,
        List<LogEntry> entriesToPersist,
        List<RaftMessage> messagesBeforePersist,
        List<RaftMessage> messages,
        Snapshot snapshotToInstall,
        List<LogEntry> committedEntries,
        List<ReadState> readStates,
        boolean snapshotDue) {

    public Ready {
        entriesToPersist = List.copyOf(entriesToPersist);
        messagesBeforePersist = List.copyOf(messagesBeforePersist);
        messages = List.copyOf(messages);
        committedEntries = List.copyOf(committedEntries);
        readStates = List.copyOf(readStates);
    }

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return hardState == null
                && snapshotToPersist == null
                && entriesToPersist.isEmpty()
                && messagesBeforePersist.isEmpty()
                && messages.isEmpty()
                && snapshotToInstall == null
                && committedEntries.isEmpty()
                && readStates.isEmpty()
                && !snapshotDue;
    }
}
