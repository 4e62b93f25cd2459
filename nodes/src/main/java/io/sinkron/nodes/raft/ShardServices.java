package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The state machine of one shard: several services (the key-value register, locks, later queues and the cache
 * directory) sharing the shard's one Raft log. A command carries its service's tag as its first byte ({@link
 * #command}); the tagged service applies it and every other service sees a no-op at the same index, so each keeps
 * its own applied index in step with the log. A snapshot holds every service's snapshot, tagged.
 *
 * <p>Snapshot layout: version byte, service count (u8), then per service: tag (u8), length (i32), bytes.
 */
public final class ShardServices implements StateMachine {

    /** Tag of the key-value register ({@code io.sinkron.nodes.kv}). */
    public static final byte KV = 'K';

    /** Tag of the lock service ({@code io.sinkron.nodes.lock}). */
    public static final byte LOCKS = 'L';

    private static final byte SNAPSHOT_VERSION = 1;

    private final Map<Byte, StateMachine> services;
    private long appliedIndex;

    /** Services by tag; the map's order is the snapshot's. */
    public ShardServices(Map<Byte, StateMachine> services) {
        if (services.isEmpty()) {
            throw new IllegalArgumentException("a shard needs at least one service");
        }
        this.services = new LinkedHashMap<>(services);
    }

    /** The command bytes for service {@code tag}. */
    public static byte[] command(byte tag, byte[] serviceCommand) {
        return ByteBuffer.allocate(1 + serviceCommand.length)
                .put(tag)
                .put(serviceCommand)
                .array();
    }

    /** The service registered under {@code tag}. */
    public StateMachine service(byte tag) {
        return Objects.requireNonNull(services.get(tag), () -> "no service with tag " + tag);
    }

    @Override
    public byte[] apply(LogEntry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new IllegalStateException("applying index " + entry.index() + " after " + appliedIndex);
        }
        appliedIndex = entry.index();
        if (!(entry.payload() instanceof EntryPayload.Command command)) {
            services.values().forEach(service -> service.apply(entry));
            return new byte[0];
        }
        byte tag = command.length() == 0 ? 0 : command.byteAt(0);
        if (command.length() == 0 || !services.containsKey(tag)) {
            // Commands are built by this node's own resources, so this is a bug, and it stops the node.
            throw new IllegalStateException("command at index " + entry.index() + " names no known service");
        }
        byte[] inner = command.copyOfRange(1, command.length());
        LogEntry noop = new LogEntry(entry.term(), entry.index(), new EntryPayload.Noop());
        byte[] reply = new byte[0];
        for (Map.Entry<Byte, StateMachine> service : services.entrySet()) {
            if (service.getKey() == tag) {
                reply = service.getValue()
                        .apply(new LogEntry(entry.term(), entry.index(), new EntryPayload.Command(inner)));
            } else {
                service.getValue().apply(noop);
            }
        }
        return reply;
    }

    @Override
    public byte[] snapshot() {
        Map<Byte, byte[]> parts = new LinkedHashMap<>();
        int size = 2;
        for (Map.Entry<Byte, StateMachine> service : services.entrySet()) {
            byte[] part = service.getValue().snapshot();
            parts.put(service.getKey(), part);
            size += 1 + 4 + part.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(SNAPSHOT_VERSION).put((byte) parts.size());
        parts.forEach((tag, part) -> out.put(tag).putInt(part.length).put(part));
        return out.array();
    }

    @Override
    public void restore(Snapshot snapshot) {
        ByteBuffer in = ByteBuffer.wrap(snapshot.data());
        if (in.get() != SNAPSHOT_VERSION) {
            throw new IllegalStateException("unknown shard snapshot version");
        }
        int count = in.get() & 0xFF;
        Map<Byte, byte[]> parts = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            byte tag = in.get();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new IllegalStateException("shard snapshot part " + tag + " overruns the snapshot");
            }
            byte[] part = new byte[length];
            in.get(part);
            parts.put(tag, part);
        }
        if (in.hasRemaining() || !parts.keySet().equals(services.keySet())) {
            throw new IllegalStateException(
                    "shard snapshot holds services " + parts.keySet() + ", this node runs " + services.keySet());
        }
        services.forEach((tag, service) -> service.restore(new Snapshot(snapshot.meta(), parts.get(tag))));
        appliedIndex = snapshot.meta().lastIncludedIndex();
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }
}
