-- Raises (SQLSTATE SK001) unless entries starting after index p_previous fit shard p_shard's stored log: p_previous
-- is the snapshot's last index or a stored entry. PostgresRaftLogStore runs it before each INSERT of entries, in the
-- same pipelined transaction, so a gap aborts the transaction and its COMMIT turns into ROLLBACK: nothing is written.
CREATE FUNCTION raft_require_follows(p_shard integer, p_previous bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_previous <> COALESCE((SELECT last_index FROM raft_snapshot WHERE shard = p_shard), 0)
       AND NOT EXISTS (SELECT 1 FROM raft_entry WHERE shard = p_shard AND idx = p_previous) THEN
        RAISE EXCEPTION 'shard %: entries after index % do not fit the stored log (neither the snapshot nor a stored entry ends there)',
            p_shard, p_previous USING ERRCODE = 'SK001';
    END IF;
END
$$;
