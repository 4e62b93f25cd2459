package io.sinkron.consensus.sim;

import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulation's replicated service: a string key-value register. Commands are UTF-8 {@code "P\u0000key\u0000value"}
 * (put); reads go through ReadIndex and {@link #get}. Deterministic; snapshots are the sorted map. Single-threaded.
 */
public final class KvStateMachine implements StateMachine {

    private static final byte[] OK = "OK".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NOTHING = new byte[0];

    private final TreeMap<String, String> values = new TreeMap<>();
    private long appliedIndex;

    /** Encodes a put command. */
    public static byte[] put(String key, String value) {
        return ("P\u0000" + key + "\u0000" + value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] apply(LogEntry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new IllegalStateException("apply " + entry.index() + " after " + appliedIndex);
        }
        appliedIndex = entry.index();
        if (!(entry.payload() instanceof EntryPayload.Command command)) {
            return NOTHING;
        }
        String[] parts = new String(command.data(), StandardCharsets.UTF_8).split("\u0000", -1);
        if (parts.length == 3 && parts[0].equals("P")) {
            values.put(parts[1], parts[2]);
            return OK;
        }
        return NOTHING; // other commands (benchmark payloads, liveness markers) do not touch the register
    }

    /** The value of {@code key}, or null. */
    public String get(String key) {
        return values.get(key);
    }

    @Override
    public byte[] snapshot() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            out.append(e.getKey()).append('\u0000').append(e.getValue()).append('\u0000');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void restore(Snapshot snapshot) {
        values.clear();
        String text = new String(snapshot.data(), StandardCharsets.UTF_8);
        if (!text.isEmpty()) {
            String[] parts = text.split("\u0000", -1);
            for (int i = 0; i + 1 < parts.length; i += 2) {
                values.put(parts[i], parts[i + 1]);
            }
        }
        appliedIndex = snapshot.meta().lastIncludedIndex();
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }
}
