package io.sinkron.nodes.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

// Proves the KV register's promises to Raft and clients by applying log entries directly: writes land in order, a
// duplicate client sequence applies once (dissertation §6.3), stale sequences change nothing, snapshot + restore
// reproduce state and sessions exactly, and a gap in the applied indexes is refused loudly.
class KvStateMachineTest {

    private final KvStateMachine kv = new KvStateMachine();
    private long index;

    @Test
    void appliesPutsAndServesThem() {
        assertThat(put("", 0, "a", "1")).containsExactly(KvStateMachine.REPLY_OK);
        put("", 0, "a", "2");
        noop();

        assertThat(text(kv.get("a").orElseThrow())).isEqualTo("2");
        assertThat(kv.get("b")).isEmpty();
        assertThat(kv.appliedIndex()).isEqualTo(3);
    }

    @Test
    void duplicateClientSequenceAppliesOnce() {
        put("c1", 1, "k", "first");
        put("c2", 1, "k", "other");
        byte[] retry = put("c1", 1, "k", "retried");

        assertThat(retry).containsExactly(KvStateMachine.REPLY_OK);
        assertThat(text(kv.get("k").orElseThrow())).isEqualTo("other");
    }

    @Test
    void olderSequenceIsStaleAndChangesNothing() {
        put("c1", 5, "k", "five");
        byte[] stale = put("c1", 4, "k", "four");

        assertThat(stale).containsExactly(KvStateMachine.REPLY_STALE);
        assertThat(text(kv.get("k").orElseThrow())).isEqualTo("five");
        put("c1", 6, "k", "six");
        assertThat(text(kv.get("k").orElseThrow())).isEqualTo("six");
    }

    @Test
    void snapshotAndRestoreKeepValuesAndSessions() {
        put("c1", 1, "a", "x");
        put("", 0, "b", "y");
        byte[] data = kv.snapshot();

        KvStateMachine copy = new KvStateMachine();
        copy.restore(new Snapshot(new SnapshotMeta(index, 1, ClusterConfig.ofVoters(Set.of(1))), data));

        assertThat(copy.appliedIndex()).isEqualTo(index);
        assertThat(text(copy.get("a").orElseThrow())).isEqualTo("x");
        assertThat(text(copy.get("b").orElseThrow())).isEqualTo("y");
        assertThat(copy.snapshot()).isEqualTo(data);
        // The session survived: the retry is still recognised after the restore.
        copy.apply(entry(index + 1, new KvCommand("c1", 1, "a", bytes("again")).encode()));
        assertThat(text(copy.get("a").orElseThrow())).isEqualTo("x");
    }

    @Test
    void restoringTheBootstrapSnapshotEmptiesTheState() {
        put("", 0, "a", "x");
        kv.restore(Snapshot.bootstrap(SnapshotMeta.bootstrap(ClusterConfig.ofVoters(Set.of(1)))));
        assertThat(kv.get("a")).isEmpty();
        assertThat(kv.appliedIndex()).isZero();
    }

    @Test
    void refusesAGapInAppliedIndexes() {
        put("", 0, "a", "x");
        assertThatThrownBy(() -> kv.apply(entry(index + 2, new KvCommand("", 0, "a", bytes("y")).encode())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after");
    }

    @Test
    void commandRoundTripsAndRefusesBadKeys() {
        KvCommand command = new KvCommand("client-1", 9, "a/b:c", bytes("v"));
        assertThat(KvCommand.decode(command.encode())).isEqualTo(command);
        assertThatThrownBy(() -> new KvCommand("", 0, "bad key", bytes("v")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvCommand("", 0, "k", new byte[KvCommand.VALUE_BYTES_MAX + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvCommand.decode(new byte[] {1, 1, 0})).isInstanceOf(IllegalArgumentException.class);
    }

    private byte[] put(String client, long sequence, String key, String value) {
        return kv.apply(entry(++index, new KvCommand(client, sequence, key, bytes(value)).encode()));
    }

    private void noop() {
        kv.apply(new LogEntry(1, ++index, new EntryPayload.Noop()));
    }

    private static LogEntry entry(long index, byte[] command) {
        return new LogEntry(1, index, new EntryPayload.Command(command));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
