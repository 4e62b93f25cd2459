package io.sinkron.schemas.raft;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** What a log entry carries: a client command, a leader's no-op, or a membership configuration. */
public sealed interface EntryPayload {

    /** Bytes this payload occupies on the wire; used by the batching limits. */
    int sizeBytes();

    /**
     * An opaque state-machine command. The constructor takes the array over: its caller must not change it afterwards
     * (every caller passes an array it has just made; {@code RaftNode.propose} copies what it is given). {@link
     * #data()} hands out a copy; {@link #length()}, {@link #byteAt}, {@link #copyOfRange} and {@link #writeTo} read
     * without one, for the paths every entry takes on every replica.
     *
     * @param data the command bytes, at most {@link RaftCodec#MAX_COMMAND_BYTES}
     */
    record Command(byte[] data) implements EntryPayload {
        public Command {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The number of command bytes. */
        public int length() {
            return data.length;
        }

        /** The command byte at {@code index}. */
        public byte byteAt(int index) {
            return data[index];
        }

        /** A copy of bytes {@code from} (inclusive) to {@code to} (exclusive). */
        public byte[] copyOfRange(int from, int to) {
            return Arrays.copyOfRange(data, from, to);
        }

        /** Puts the command bytes into {@code out}. */
        public void writeTo(java.nio.ByteBuffer out) {
            out.put(data);
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
