package io.sinkron.consensus.raft;

import io.sinkron.consensus.raft.snapshot.SnapshotAssembler;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesRequest;
import io.sinkron.schemas.raft.RaftMessage.AppendEntriesResponse;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotRequest;
import io.sinkron.schemas.raft.RaftMessage.InstallSnapshotResponse;
import java.util.List;

/**
 * The receiving side of replication: AppendEntries (Raft §5.3) and chunked InstallSnapshot (Raft §7). The caller has
 * already checked the term and recognised the sender as leader. Package-private; single-threaded.
 */
final class Follower {

    private final Core core;
    private final SnapshotAssembler assembler;

    Follower(Core core) {
        this.core = core;
        this.assembler = new SnapshotAssembler(core.config.maxSnapshotBytes());
    }

    void onAppendEntries(AppendEntriesRequest m) {
        long prevIndex = m.prevLogIndex();
        long prevTerm = m.prevLogTerm();
        List<LogEntry> entries = m.entries();
        long snapshotIndex = core.log.snapshotIndex();
        if (prevIndex < snapshotIndex) {
            // Everything up to our snapshot is committed, hence in the leader's log too (Leader Completeness, §5.4):
            // skip the entries it covers and match at the snapshot.
            int skip = (int) Math.min(entries.size(), snapshotIndex - prevIndex);
            long lastSent = prevIndex + entries.size();
            if (lastSent <= snapshotIndex) {
                respondSuccess(m, lastSent);
                return;
            }
            entries = entries.subList(skip, entries.size());
            prevIndex = snapshotIndex;
            prevTerm = core.log.snapshot().lastIncludedTerm();
        }
        if (!core.log.matches(prevIndex, prevTerm)) {
            respondReject(m);
            return;
        }
        for (LogEntry entry : entries) {
            long existing = core.log.term(entry.index());
            if (existing == entry.term()) {
                continue; // Already have it (a duplicate or reordered append): never truncate a matching entry.
            }
            if (entry.index() <= core.log.lastIndex()) {
                core.truncateFrom(entry.index());
            }
            core.append(entry);
        }
        long lastNew = prevIndex + entries.size();
        // Raft §5.3, Figure 2: commitIndex = min(leaderCommit, index of last new entry) — only the verified prefix.
        long commit = Math.min(m.leaderCommit(), lastNew);
        if (commit > core.commitIndex) {
            core.setCommitIndex(commit);
        }
        respondSuccess(m, lastNew);
    }

    private void respondSuccess(AppendEntriesRequest m, long matchIndex) {
        core.send(
                new AppendEntriesResponse(core.id, m.from(), core.term(), true, matchIndex, 0, 0, 0, m.readSequence()));
    }

    private void respondReject(AppendEntriesRequest m) {
        long prev = m.prevLogIndex();
        long conflictTerm;
        long conflictIndex;
        if (prev > core.log.lastIndex()) {
            conflictTerm = 0;
            conflictIndex = core.log.lastIndex() + 1;
        } else {
            // Fast back-off (Raft §5.3, end): name our term at prev and where it starts, so the leader can skip it.
            conflictTerm = core.log.term(prev);
            conflictIndex = core.log.firstIndexOfTermEndingAt(prev);
        }
        core.send(new AppendEntriesResponse(
                core.id, m.from(), core.term(), false, 0, prev, conflictTerm, conflictIndex, m.readSequence()));
    }

    void onInstallSnapshot(InstallSnapshotRequest m) {
        long index = m.meta().lastIncludedIndex();
        SnapshotAssembler.Outcome outcome = assembler.accept(m.meta(), m.offset(), m.chunk(), m.done());
        switch (outcome) {
            case SnapshotAssembler.Outcome.Incomplete incomplete ->
                core.send(new InstallSnapshotResponse(
                        core.id, m.from(), core.term(), index, incomplete.nextOffset(), false));
            case SnapshotAssembler.Outcome.Complete complete -> {
                if (index > core.commitIndex) {
                    core.installSnapshot(new Snapshot(complete.meta(), complete.data()));
                }
                // Done either way: at or below our commit index we already hold everything it contains.
                core.send(new InstallSnapshotResponse(core.id, m.from(), core.term(), index, 0, true));
            }
        }
    }
}
