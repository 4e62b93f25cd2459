package io.sinkron.consensus.sim;

/**
 * How often a run (or a sum of runs) exercised each feature, so a green simulation provably covered it rather than
 * passing because the feature never happened. Latencies are maxima, for tuning the liveness bounds.
 *
 * @param electionsWon terms that got a leader
 * @param leaderChanges new leaders that were not the previous leader
 * @param preVoteRejections pre-vote requests answered with a refusal (dissertation §9.6)
 * @param checkQuorumStepDowns leaders that stepped down on a tick for lack of a quorum (dissertation §6.2)
 * @param crashes process crashes
 * @param restarts process restarts from storage
 * @param partitions splits, isolations and one-way cuts
 * @param snapshotsInstalled snapshots a follower installed from InstallSnapshot (Raft §7)
 * @param transfersCompleted TimeoutNow targets that became leader of the next term (dissertation §3.10)
 * @param learnersAdded committed configurations adding a learner (dissertation §4.2.1)
 * @param learnersPromoted committed configurations promoting a learner to voter
 * @param votersRemoved committed configurations removing a voter
 * @param readIndexReadsServed client reads answered through ReadIndex (dissertation §6.4)
 * @param proposalsCheckedForLiveness proposals accepted after the faults stopped, held to the commit bound while their
 *     leader kept leading
 * @param proposalsReleasedByLeaderChange of those, proposals whose leader stopped leading before they were applied on
 *     every member (Raft may overwrite them; see {@code LivenessChecker})
 * @param leadershipsEndedAfterHeal leaders that stopped leading their term after the faults stopped
 * @param electionLatencyStepsMax most steps from the end of the faults until the leader that led to the end of the run
 *     was first seen leading
 * @param commitLatencyStepsMax most steps from acceptance to apply on every member, for the proposals above
 * @param readiesPipelined Readies held for a later persist (pipelined persistence only; see {@link
 *     SimConfig#persistDelayStepsMax()})
 * @param inputsWhilePersisting inputs a node took while it still held Readies not yet persisted
 * @param readiesLostToCrash Readies a crash dropped before their persist: none of their effects ever happened
 * @param staleCompactionsSkipped released Readies whose {@code snapshotDue} was already served by an earlier
 *     compaction or an installed snapshot, so the driver did not compact
 * @param messagesSentBeforePersist a leader's AppendEntries sent before its own persist (parallel leader persistence,
 *     dissertation §10.2.1; see {@link io.sinkron.consensus.raft.RaftConfig#leaderPersistsInParallel()})
 * @param commitsOnLeaderPersist commit index advances that waited for the leader's own persist: the report of it
 *     ({@link io.sinkron.consensus.raft.RaftNode#persisted}) moved the commit index
 */
public record Coverage(
        long electionsWon,
        long leaderChanges,
        long preVoteRejections,
        long checkQuorumStepDowns,
        long crashes,
        long restarts,
        long partitions,
        long snapshotsInstalled,
        long transfersCompleted,
        long learnersAdded,
        long learnersPromoted,
        long votersRemoved,
        long readIndexReadsServed,
        long proposalsCheckedForLiveness,
        long proposalsReleasedByLeaderChange,
        long leadershipsEndedAfterHeal,
        long electionLatencyStepsMax,
        long commitLatencyStepsMax,
        long readiesPipelined,
        long inputsWhilePersisting,
        long readiesLostToCrash,
        long staleCompactionsSkipped,
        long messagesSentBeforePersist,
        long commitsOnLeaderPersist) {

    /** Nothing happened yet. */
    public static final Coverage NONE =
            new Coverage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Counts added, latency maxima combined. */
    public Coverage plus(Coverage o) {
        return new Coverage(
                electionsWon + o.electionsWon,
                leaderChanges + o.leaderChanges,
                preVoteRejections + o.preVoteRejections,
                checkQuorumStepDowns + o.checkQuorumStepDowns,
                crashes + o.crashes,
                restarts + o.restarts,
                partitions + o.partitions,
                snapshotsInstalled + o.snapshotsInstalled,
                transfersCompleted + o.transfersCompleted,
                learnersAdded + o.learnersAdded,
                learnersPromoted + o.learnersPromoted,
                votersRemoved + o.votersRemoved,
                readIndexReadsServed + o.readIndexReadsServed,
                proposalsCheckedForLiveness + o.proposalsCheckedForLiveness,
                proposalsReleasedByLeaderChange + o.proposalsReleasedByLeaderChange,
                leadershipsEndedAfterHeal + o.leadershipsEndedAfterHeal,
                Math.max(electionLatencyStepsMax, o.electionLatencyStepsMax),
                Math.max(commitLatencyStepsMax, o.commitLatencyStepsMax),
                readiesPipelined + o.readiesPipelined,
                inputsWhilePersisting + o.inputsWhilePersisting,
                readiesLostToCrash + o.readiesLostToCrash,
                staleCompactionsSkipped + o.staleCompactionsSkipped,
                messagesSentBeforePersist + o.messagesSentBeforePersist,
                commitsOnLeaderPersist + o.commitsOnLeaderPersist);
    }
}
