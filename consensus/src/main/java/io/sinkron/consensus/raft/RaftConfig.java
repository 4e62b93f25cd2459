package io.sinkron.consensus.raft;

/**
 * The core's tunables, every one a named limit (STYLE.md rule 12). Time is in ticks: the driver decides how long a
 * tick is.
 *
 * @param electionTimeoutTicks base election timeout; each node draws its timeout from [this, 2 × this) (Raft §5.2)
 * @param heartbeatTicks leader heartbeat period; must be well below the election timeout (Raft §5.6)
 * @param maxEntriesPerAppend most entries in one AppendEntries (batching)
 * @param maxBytesPerAppend most entry bytes in one AppendEntries (at least one entry is always sent)
 * @param maxInflightAppends most unacknowledged appends per follower while pipelining
 * @param maxUncommittedEntries proposals are refused while this many entries await commitment
 * @param maxPendingReads ReadIndex requests are refused while this many await confirmation
 * @param snapshotChunkBytes InstallSnapshot chunk size
 * @param maxSnapshotBytes largest snapshot a follower accepts
 * @param snapshotThresholdEntries applied entries since the last snapshot that make {@link Ready#snapshotDue()} true
 * @param learnerCatchUpEntries a learner may be promoted only when it lags the leader by at most this many entries
 * @param leaderPersistsInParallel dissertation §10.2.1: the leader sends AppendEntries before its own persist of the
 *     entries completes and counts itself toward commitment only up to what the driver reported durable through
 *     {@link RaftNode#persisted}; the driver must then follow the extra duties in {@link Ready}. False: every message
 *     waits for the persist and the leader counts its whole log at once
 */
public record RaftConfig(
        int electionTimeoutTicks,
        int heartbeatTicks,
        int maxEntriesPerAppend,
        long maxBytesPerAppend,
        int maxInflightAppends,
        int maxUncommittedEntries,
        int maxPendingReads,
        int snapshotChunkBytes,
        long maxSnapshotBytes,
        long snapshotThresholdEntries,
        long learnerCatchUpEntries,
        boolean leaderPersistsInParallel) {

    public RaftConfig {
        positive("electionTimeoutTicks", electionTimeoutTicks);
        positive("heartbeatTicks", heartbeatTicks);
        positive("maxEntriesPerAppend", maxEntriesPerAppend);
        positive("maxBytesPerAppend", maxBytesPerAppend);
        positive("maxInflightAppends", maxInflightAppends);
        positive("maxUncommittedEntries", maxUncommittedEntries);
        positive("maxPendingReads", maxPendingReads);
        positive("snapshotChunkBytes", snapshotChunkBytes);
        positive("maxSnapshotBytes", maxSnapshotBytes);
        positive("snapshotThresholdEntries", snapshotThresholdEntries);
        if (heartbeatTicks >= electionTimeoutTicks) {
            throw new IllegalArgumentException(
                    "heartbeatTicks " + heartbeatTicks + " must be below electionTimeoutTicks " + electionTimeoutTicks);
        }
        if (learnerCatchUpEntries < 0) {
            throw new IllegalArgumentException("learnerCatchUpEntries must be >= 0");
        }
    }

    /** Without parallel leader persistence (every message waits for the persist). */
    public RaftConfig(
            int electionTimeoutTicks,
            int heartbeatTicks,
            int maxEntriesPerAppend,
            long maxBytesPerAppend,
            int maxInflightAppends,
            int maxUncommittedEntries,
            int maxPendingReads,
            int snapshotChunkBytes,
            long maxSnapshotBytes,
            long snapshotThresholdEntries,
            long learnerCatchUpEntries) {
        this(
                electionTimeoutTicks,
                heartbeatTicks,
                maxEntriesPerAppend,
                maxBytesPerAppend,
                maxInflightAppends,
                maxUncommittedEntries,
                maxPendingReads,
                snapshotChunkBytes,
                maxSnapshotBytes,
                snapshotThresholdEntries,
                learnerCatchUpEntries,
                false);
    }

    /** Sensible defaults for a LAN with a 10 ms tick. */
    public static RaftConfig defaults() {
        return new RaftConfig(10, 2, 256, 1 << 20, 8, 10_000, 1_024, 64 * 1024, 1L << 30, 10_000, 100);
    }

    /** A copy that snapshots after {@code entries} applied entries. */
    public RaftConfig withSnapshotThresholdEntries(long entries) {
        Copy copy = new Copy(this);
        copy.snapshotThresholdEntries = entries;
        return copy.build();
    }

    /** A copy with another election timeout and heartbeat period. */
    public RaftConfig withTimeouts(int electionTicks, int heartbeatPeriodTicks) {
        Copy copy = new Copy(this);
        copy.electionTimeoutTicks = electionTicks;
        copy.heartbeatTicks = heartbeatPeriodTicks;
        return copy.build();
    }

    /** A copy with other snapshot settings. */
    public RaftConfig withSnapshots(long thresholdEntries, int chunkBytes) {
        Copy copy = new Copy(this);
        copy.snapshotThresholdEntries = thresholdEntries;
        copy.snapshotChunkBytes = chunkBytes;
        return copy.build();
    }

    /**
     * A copy with parallel leader persistence on or off (dissertation §10.2.1; see {@link #leaderPersistsInParallel()}
     * and the driver duties in {@link Ready}).
     */
    public RaftConfig withLeaderPersistsInParallel(boolean parallel) {
        Copy copy = new Copy(this);
        copy.leaderPersistsInParallel = parallel;
        return copy.build();
    }

    /** A working copy for the withers: each changes only its own fields, the record's constructor checks them all. */
    private static final class Copy {
        private int electionTimeoutTicks;
        private int heartbeatTicks;
        private final int maxEntriesPerAppend;
        private final long maxBytesPerAppend;
        private final int maxInflightAppends;
        private final int maxUncommittedEntries;
        private final int maxPendingReads;
        private int snapshotChunkBytes;
        private final long maxSnapshotBytes;
        private long snapshotThresholdEntries;
        private final long learnerCatchUpEntries;
        private boolean leaderPersistsInParallel;

        Copy(RaftConfig c) {
            electionTimeoutTicks = c.electionTimeoutTicks;
            heartbeatTicks = c.heartbeatTicks;
            maxEntriesPerAppend = c.maxEntriesPerAppend;
            maxBytesPerAppend = c.maxBytesPerAppend;
            maxInflightAppends = c.maxInflightAppends;
            maxUncommittedEntries = c.maxUncommittedEntries;
            maxPendingReads = c.maxPendingReads;
            snapshotChunkBytes = c.snapshotChunkBytes;
            maxSnapshotBytes = c.maxSnapshotBytes;
            snapshotThresholdEntries = c.snapshotThresholdEntries;
            learnerCatchUpEntries = c.learnerCatchUpEntries;
            leaderPersistsInParallel = c.leaderPersistsInParallel;
        }

        RaftConfig build() {
            return new RaftConfig(
                    electionTimeoutTicks,
                    heartbeatTicks,
                    maxEntriesPerAppend,
                    maxBytesPerAppend,
                    maxInflightAppends,
                    maxUncommittedEntries,
                    maxPendingReads,
                    snapshotChunkBytes,
                    maxSnapshotBytes,
                    snapshotThresholdEntries,
                    learnerCatchUpEntries,
                    leaderPersistsInParallel);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }
}
