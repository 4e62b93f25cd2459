package io.sinkron.consensus.sim;

/** The mutable tally behind one run's {@link Coverage}; package-private, single-threaded. */
final class CoverageCounter {

    long electionsWon;
    long leaderChanges;
    long preVoteRejections;
    long checkQuorumStepDowns;
    long crashes;
    long restarts;
    long partitions;
    long snapshotsInstalled;
    long transfersCompleted;
    long learnersAdded;
    long learnersPromoted;
    long votersRemoved;
    long readIndexReadsServed;
    long proposalsCheckedForLiveness;
    long proposalsReleasedByLeaderChange;
    long leadershipsEndedAfterHeal;
    long electionLatencyStepsMax;
    long commitLatencyStepsMax;
    long readiesPipelined;
    long inputsWhilePersisting;
    long readiesLostToCrash;
    long staleCompactionsSkipped;
    long messagesSentBeforePersist;
    long commitsOnLeaderPersist;

    Coverage toCoverage() {
        return new Coverage(
                electionsWon,
                leaderChanges,
                preVoteRejections,
                checkQuorumStepDowns,
                crashes,
                restarts,
                partitions,
                snapshotsInstalled,
                transfersCompleted,
                learnersAdded,
                learnersPromoted,
                votersRemoved,
                readIndexReadsServed,
                proposalsCheckedForLiveness,
                proposalsReleasedByLeaderChange,
                leadershipsEndedAfterHeal,
                electionLatencyStepsMax,
                commitLatencyStepsMax,
                readiesPipelined,
                inputsWhilePersisting,
                readiesLostToCrash,
                staleCompactionsSkipped,
                messagesSentBeforePersist,
                commitsOnLeaderPersist);
    }
}
