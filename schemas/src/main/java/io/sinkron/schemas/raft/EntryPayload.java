package io.sinkron.schemas.raft;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** What a log entry carries: a client command, a leader's no-op, or a membership configuration. */
public sealed interface EntryPayload {

    /** Bytes this payload occupies on the wire; used by the batching limits. */
    int sizeBytes();

    /**
     * An opaque state-machine command. The array is copied in and out, so the record stays immutable.
     *
     * @param data the command bytes, at most {@link RaftCodec#MAX_COMMAND_BYTES}
     */
    record Command(byte[] data) implements EntryPayload {
        public Command {
            data = Objects.requireNonNull(data, "data").clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int sizeBytes() {
            return 1 + 4 + data.length;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Command command && Arrays.equals(data, command.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Command[" + data.length + "B " + HexFormat.of().formatHex(data, 0, Math.min(8, data.length)) + "]";
        }
    }

    /** The entry a new leader appends so it can commit in its term (Raft §8; dissertation §6.4). */
    record Noop() implements EntryPayload {
        @Override
        public int sizeBytes() {
            return 1;
        }
    }

    /**
     * A membership configuration; it takes effect as soon as it is in a node's log (dissertation §4.1).
     *
     * @param config the new configuration
     */
    record Config(ClusterConfig config) implements EntryPayload {
        public Config {
            Objects.requireNonNull(config, "config");
        }

        @Override
        public int sizeBytes() {
            return 1 + 8 + 4 * (config.voters().size() + config.learners().size());
        }
    }
}
