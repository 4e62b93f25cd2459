package io.sinkron.consensus.raft;

import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.List;

/**
 * One batch of effects from {@link RaftNode#ready()}. The driver handles the fields <b>in this order</b>, and all of
 * them before giving the node its next input:
 *
 * <ol>
 *   <li>Persist, through {@link RaftStorage#persist}: {@code snapshotToPersist}, then {@code entriesToPersist}, then
 *       {@code hardState}. Durable before step 2: a vote or an acknowledgement is a promise about stable storage (Raft
 *       §5.1, §5.2), so its message must not leave before the data it vouches for.
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
 * @param hardState new term/vote to persist, or null if unchanged
 * @param snapshotToPersist a snapshot that became the node's latest (installed from the leader or taken locally), or
 *     null
 * @param entriesToPersist entries to write; they replace any stored suffix from the first one's index
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
        List<RaftMessage> messages,
        Snapshot snapshotToInstall,
        List<LogEntry> committedEntries,
        List<ReadState> readStates,
        boolean snapshotDue) {

    public Ready {
        entriesToPersist = List.copyOf(entriesToPersist);
        messages = List.copyOf(messages);
        committedEntries = List.copyOf(committedEntries);
        readStates = List.copyOf(readStates);
    }

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return hardState == null
                && snapshotToPersist == null
                && entriesToPersist.isEmpty()
                && messages.isEmpty()
                && snapshotToInstall == null
                && committedEntries.isEmpty()
                && readStates.isEmpty()
                && !snapshotDue;
    }
}
