-- The durable Raft state of every shard replica on this node (Raft §5.1, §7), written by PostgresRaftLogStore.
-- Payload and configuration encodings are documented in io.sinkron.nodes.storage.raft.RaftRowCodec.

-- Term and vote per shard. A missing row means term 0, no vote.
CREATE TABLE raft_hard_state (
    shard     integer PRIMARY KEY CHECK (shard >= 0),
    term      bigint  NOT NULL CHECK (term >= 0),
    voted_for integer NOT NULL CHECK (voted_for >= -1)
);

-- Log entries after the shard's snapshot, contiguous by idx (the store checks this on every append and every load).
-- kind: 0 no-op (empty payload), 1 command (the command bytes), 2 configuration (RaftRowCodec's config bytes).
CREATE TABLE raft_entry (
    shard   integer  NOT NULL CHECK (shard >= 0),
    idx     bigint   NOT NULL CHECK (idx >= 1),
    term    bigint   NOT NULL CHECK (term >= 1),
    kind    smallint NOT NULL CHECK (kind IN (0, 1, 2)),
    payload bytea    NOT NULL,
    PRIMARY KEY (shard, idx)
);

-- The latest snapshot per shard. A missing row means the bootstrap snapshot (index 0) the caller supplies on load.
CREATE TABLE raft_snapshot (
    shard      integer PRIMARY KEY CHECK (shard >= 0),
    last_index bigint  NOT NULL CHECK (last_index >= 0),
    last_term  bigint  NOT NULL CHECK (last_term >= 0),
    config     bytea   NOT NULL,
    data       bytea   NOT NULL
);
