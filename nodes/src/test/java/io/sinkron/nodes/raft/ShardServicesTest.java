package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.nodes.kv.KvCommand;
import io.sinkron.nodes.kv.KvStateMachine;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

// Proves that services sharing a shard's log stay in step: a tagged command reaches only its service, every service's
// applied index follows the log, an untagged or unknown command stops the node, and a snapshot restores every service.
class ShardServicesTest {

    private static final byte OTHER = 'Z';

    @Test
    void aTaggedCommandReachesOnlyItsServiceAndEveryServiceKeepsTheIndex() {
        ShardServices shard = services();
        shard.apply(put(1, "a", "1"));
        shard.apply(new LogEntry(1, 2, new EntryPayload.Noop()));
        shard.apply(new LogEntry(
                1,
                3,
                new EntryPayload.Command(
                        ShardServices.command(OTHER, new KvCommand("", 0, "z", new byte[] {7}).encode()))));

        KvStateMachine kv = (KvStateMachine) shard.service(ShardServices.KV);
        assertThat(kv.get("a")).hasValueSatisfying(v -> assertThat(text(v)).isEqualTo("1"));
        assertThat(kv.size()).isEqualTo(1);
        assertThat(kv.appliedIndex()).isEqualTo(3);
        assertThat(((KvStateMachine) shard.service(OTHER)).get("z")).isPresent();
        assertThat(((KvStateMachine) shard.service(OTHER)).get("a")).isEmpty();
        assertThat(shard.service(OTHER).appliedIndex()).isEqualTo(3);
        assertThat(shard.appliedIndex()).isEqualTo(3);
    }

    @Test
    void theRepliesAreTheTaggedServicesOwn() {
        ShardServices shard = services();
        assertThat(shard.apply(put(1, "a", "1"))).containsExactly(KvStateMachine.REPLY_OK);
        assertThat(shard.apply(new LogEntry(1, 2, new EntryPayload.Noop()))).isEmpty();
    }

    @Test
    void aCommandWithoutAKnownTagIsABug() {
        ShardServices shard = services();
        assertThatThrownBy(() -> shard.apply(new LogEntry(1, 1, new EntryPayload.Command(new byte[] {'Q', 1}))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no known service");
        assertThatThrownBy(() -> shard.apply(new LogEntry(1, 1, new EntryPayload.Command(new byte[0]))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSnapshotRestoresEveryService() {
        ShardServices shard = services();
        shard.apply(put(1, "a", "1"));
        shard.apply(new LogEntry(
                1,
                2,
                new EntryPayload.Command(ShardServices.command(
                        OTHER, new KvCommand("", 0, "b", "2".getBytes(StandardCharsets.UTF_8)).encode()))));
        Snapshot snapshot =
                new Snapshot(new SnapshotMeta(2, 1, new ClusterConfig(Set.of(1), Set.of())), shard.snapshot());

        ShardServices restored = services();
        restored.restore(snapshot);
        assertThat(restored.appliedIndex()).isEqualTo(2);
        assertThat(((KvStateMachine) restored.service(ShardServices.KV)).get("a"))
                .isPresent();
        assertThat(((KvStateMachine) restored.service(ShardServices.KV)).get("b"))
                .isEmpty();
        assertThat(((KvStateMachine) restored.service(OTHER)).get("b")).isPresent();
        assertThat(restored.snapshot()).isEqualTo(shard.snapshot());
        restored.apply(put(3, "c", "3"));
        assertThat(restored.appliedIndex()).isEqualTo(3);
    }

    @Test
    void aSnapshotOfOtherServicesIsRefused() {
        Map<Byte, StateMachine> kvOnly = new LinkedHashMap<>();
        kvOnly.put(ShardServices.KV, new KvStateMachine());
        ShardServices small = new ShardServices(kvOnly);
        Snapshot snapshot = new Snapshot(
                new SnapshotMeta(0, 0, new ClusterConfig(Set.of(1), Set.of())),
                services().snapshot());
        assertThatThrownBy(() -> small.restore(snapshot)).hasMessageContaining("this node runs");
    }

    private static ShardServices services() {
        Map<Byte, StateMachine> services = new LinkedHashMap<>();
        services.put(ShardServices.KV, new KvStateMachine());
        services.put(OTHER, new KvStateMachine());
        return new ShardServices(services);
    }

    private static LogEntry put(long index, String key, String value) {
        byte[] command = new KvCommand("", 0, key, value.getBytes(StandardCharsets.UTF_8)).encode();
        return new LogEntry(1, index, new EntryPayload.Command(ShardServices.command(ShardServices.KV, command)));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
