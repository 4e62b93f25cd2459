package io.sinkron.nodes.raft;

import io.sinkron.nodes.shard.ShardMap;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Raft message between nodes, tagged with its shard: the frame a {@link io.sinkron.channel.Channel} carries.
 *
 * <p>Layout: format-version byte ({@value #FORMAT_VERSION}), shard (int, big-endian), payload length (int), then the
 * payload — a {@link io.sinkron.schemas.raft.RaftCodec} encoding, opaque here. Anything else (wrong version, a shard
 * out of range, a length that disagrees with the frame) is refused with {@link IllegalArgumentException}, so a
 * corrupt or foreign frame is dropped rather than handed to a core.
 *
 * @param shard the Raft group the message belongs to
 * @param payload the encoded Raft message
 */
public record ShardEnvelope(int shard, byte[] payload) {

    public static final byte FORMAT_VERSION = 1;

    static final int HEADER_BYTES = 1 + Integer.BYTES + Integer.BYTES;

    public ShardEnvelope {
        if (shard < 0 || shard >= ShardMap.SHARDS_MAX) {
            throw new IllegalArgumentException("shard out of range: " + shard);
        }
        payload = Objects.requireNonNull(payload, "payload").clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The frame bytes. */
    public byte[] encode() {
        return ByteBuffer.allocate(HEADER_BYTES + payload.length)
                .put(FORMAT_VERSION)
                .putInt(shard)
                .putInt(payload.length)
                .put(payload)
                .array();
    }

    /** Reads a frame; throws {@link IllegalArgumentException} for anything but a well-formed envelope. */
    public static ShardEnvelope decode(byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        if (frame.length < HEADER_BYTES) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes is shorter than the header");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(frame);
            byte version = in.get();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown envelope version " + version);
            }
            int shard = in.getInt();
            int length = in.getInt();
            if (length != in.remaining()) {
                throw new IllegalArgumentException(
                        "payload length " + length + " disagrees with the " + in.remaining() + " bytes left");
            }
            byte[] payload = new byte[length];
            in.get(payload);
            return new ShardEnvelope(shard, payload);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated envelope", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ShardEnvelope e && shard == e.shard && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return shard * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "ShardEnvelope[shard=" + shard + ", " + payload.length + "B]";
    }
}
