package io.sinkron.nodes.kv;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A replicated key-value register: the first service on the shards, used by tests and fault drills.
 *
 * <p>Deterministic: state is a function of the applied entries only. At-most-once: for each client id it remembers
 * the last applied sequence and its reply (Raft dissertation §6.3), so a retried PUT is applied once and answered
 * with the first reply; an older sequence is answered {@link #REPLY_STALE} without effect. The session table holds at
 * most {@link #SESSIONS_MAX} clients; past it the least recently used one (in log order, so the same on every
 * replica) is forgotten. Not thread-safe: the Raft driver thread owns it.
 */
public final class KvStateMachine implements StateMachine {

    /** The write took effect (now, or when it was first applied). */
    public static final byte REPLY_OK = 1;

    /** A sequence older than the client's latest: not applied again, and its original reply is gone. */
    public static final byte REPLY_STALE = 2;

    /** Clients remembered for deduplication. */
    public static final int SESSIONS_MAX = 10_000;

    /** Keys held; a PUT of a new key past this is answered {@link #REPLY_FULL} without effect. */
    public static final int KEYS_MAX = 1_000_000;

    /** Refused: the register holds {@link #KEYS_MAX} keys. */
    public static final byte REPLY_FULL = 3;

    private static final int SNAPSHOT_VERSION = 1;

    private final TreeMap<String, byte[]> values = new TreeMap<>();
    // Access order = log order of the clients' latest requests; identical on every replica.
    private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private long appliedIndex;

    private record Session(long sequence, byte reply) {}

    @Override
    public byte[] apply(LogEntry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new IllegalStateException("applying index " + entry.index() + " after " + appliedIndex);
        }
        appliedIndex = entry.index();
        return switch (entry.payload()) {
            case EntryPayload.Command command -> new byte[] {applyCommand(KvCommand.decode(command.data()))};
            case EntryPayload.Noop noop -> new byte[0];
            case EntryPayload.Config config -> new byte[0];
        };
    }

    private byte applyCommand(KvCommand command) {
        String client = command.clientId();
        if (!client.isEmpty()) {
            Session session = sessions.get(client);
            if (session != null && command.sequence() == session.sequence()) {
                return session.reply();
            }
            if (session != null && command.sequence() < session.sequence()) {
                return REPLY_STALE;
            }
        }
        byte reply;
        if (!values.containsKey(command.key()) && values.size() >= KEYS_MAX) {
            reply = REPLY_FULL;
        } else {
            values.put(command.key(), command.value());
            reply = REPLY_OK;
        }
        if (!client.isEmpty()) {
            sessions.put(client, new Session(command.sequence(), reply));
            evictSessions();
        }
        return reply;
    }

    private void evictSessions() {
        Iterator<String> oldest = sessions.keySet().iterator();
        while (sessions.size() > SESSIONS_MAX) {
            oldest.next();
            oldest.remove();
        }
    }

    /** The value of {@code key} as of the applied index. */
    public Optional<byte[]> get(String key) {
        byte[] value = values.get(key);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    /** Number of keys held. */
    public int size() {
        return values.size();
    }

    @Override
    public byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(SNAPSHOT_VERSION);
            out.writeInt(values.size());
            for (Map.Entry<String, byte[]> e : values.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
            out.writeInt(sessions.size());
            for (Map.Entry<String, Session> e : sessions.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().sequence());
                out.writeByte(e.getValue().reply());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory stream", e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void restore(Snapshot snapshot) {
        values.clear();
        sessions.clear();
        appliedIndex = snapshot.meta().lastIncludedIndex();
        byte[] data = snapshot.data();
        if (data.length == 0) {
            return; // the bootstrap snapshot: empty state
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
            int version = in.readInt();
            if (version != SNAPSHOT_VERSION) {
                throw new IllegalStateException("unknown KV snapshot version " + version);
            }
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String key = in.readUTF();
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                values.put(key, value);
            }
            int sessionCount = in.readInt();
            for (int i = 0; i < sessionCount; i++) {
                sessions.put(in.readUTF(), new Session(in.readLong(), in.readByte()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("corrupt KV snapshot at index " + appliedIndex, e);
        }
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }
}
