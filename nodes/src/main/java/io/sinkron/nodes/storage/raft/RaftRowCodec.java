package io.sinkron.nodes.storage.raft;

import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.TreeSet;

/**
 * How entry payloads and configurations are stored in the Raft tables (V2__raft_log.sql), format version
 * {@value #CONFIG_FORMAT_VERSION}.
 *
 * <ul>
 *   <li>Payload: a {@code kind} column ({@value #KIND_NOOP} no-op, {@value #KIND_COMMAND} command, {@value
 *       #KIND_CONFIG} configuration — the same numbers as the wire codec's payload kinds) and a {@code payload} bytea:
 *       empty for a no-op, the command bytes as they are, or the configuration bytes below.
 *   <li>Configuration: a version byte, then the voters and the learners, each as a big-endian int count followed by
 *       that many big-endian int node ids in ascending order.
 * </ul>
 *
 * <p>Only this store reads these bytes, so decoding failures are corruption (our bug or a damaged disk): they throw
 * {@link IllegalStateException} (STYLE.md rule 9). Stateless and thread-safe.
 */
final class RaftRowCodec {

    static final short KIND_NOOP = 0;
    static final short KIND_COMMAND = 1;
    static final short KIND_CONFIG = 2;

    static final byte CONFIG_FORMAT_VERSION = 1;

    private static final byte[] EMPTY = new byte[0];

    private RaftRowCodec() {}

    static short kind(EntryPayload payload) {
        return switch (payload) {
            case EntryPayload.Noop noop -> KIND_NOOP;
            case EntryPayload.Command command -> KIND_COMMAND;
            case EntryPayload.Config config -> KIND_CONFIG;
        };
    }

    static byte[] payloadBytes(EntryPayload payload) {
        return switch (payload) {
            case EntryPayload.Noop noop -> EMPTY;
            case EntryPayload.Command command -> command.data();
            case EntryPayload.Config config -> configBytes(config.config());
        };
    }

    static EntryPayload payload(short kind, byte[] bytes) {
        return switch (kind) {
            case KIND_NOOP -> {
                if (bytes.length != 0) {
                    throw new IllegalStateException("stored no-op entry carries " + bytes.length + " bytes");
                }
                yield new EntryPayload.Noop();
            }
            case KIND_COMMAND -> new EntryPayload.Command(bytes);
            case KIND_CONFIG -> new EntryPayload.Config(config(bytes));
            default -> throw new IllegalStateException("stored entry has unknown payload kind " + kind);
        };
    }

    static byte[] configBytes(ClusterConfig config) {
        ByteBuffer out = ByteBuffer.allocate(
                1 + 8 + 4 * (config.voters().size() + config.learners().size()));
        out.put(CONFIG_FORMAT_VERSION);
        putIds(out, config.voters());
        putIds(out, config.learners());
        return out.array();
    }

    static ClusterConfig config(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte version = in.get();
            if (version != CONFIG_FORMAT_VERSION) {
                throw new IllegalStateException("stored configuration has unknown format version " + version);
            }
            Set<Integer> voters = getIds(in);
            Set<Integer> learners = getIds(in);
            if (in.hasRemaining()) {
                throw new IllegalStateException("stored configuration has " + in.remaining() + " trailing bytes");
            }
            return new ClusterConfig(voters, learners);
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("stored configuration truncated at " + bytes.length + " bytes", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("stored configuration is invalid: " + e.getMessage(), e);
        }
    }

    private static void putIds(ByteBuffer out, Set<Integer> ids) {
        out.putInt(ids.size());
        for (int id : ids) {
            out.putInt(id);
        }
    }

    private static Set<Integer> getIds(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > ClusterConfig.MAX_MEMBERS) {
            throw new IllegalStateException("stored configuration names " + count + " members");
        }
        Set<Integer> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            if (!ids.add(in.getInt())) {
                throw new IllegalStateException("stored configuration names a member twice");
            }
        }
        return ids;
    }
}
