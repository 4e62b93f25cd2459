package io.sinkron.channel.tcp;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The TCP wire form: every frame is a 4-byte big-endian length followed by that many bytes. The first frame of a
 * connection is the hello: magic {@code 'S','K'}, a format version byte, then the sender's node id in UTF-8.
 */
final class FrameCodec {

    static final int LENGTH_BYTES = 4;
    static final byte VERSION = 1;
    private static final byte MAGIC_0 = 'S';
    private static final byte MAGIC_1 = 'K';
    /** Largest hello: magic, version and a 256-character id of up to 4 UTF-8 bytes each. */
    static final int HELLO_BYTES_MAX = 3 + 256 * 4;

    private FrameCodec() {}

    static Buffer hello(String self) {
        byte[] id = self.getBytes(StandardCharsets.UTF_8);
        return Buffer.buffer(LENGTH_BYTES + 3 + id.length)
                .appendInt(3 + id.length)
                .appendByte(MAGIC_0)
                .appendByte(MAGIC_1)
                .appendByte(VERSION)
                .appendBytes(id);
    }

    /** The sender id of a hello payload; throws {@link IllegalArgumentException} on anything else. */
    static String parseHello(Buffer payload) {
        if (payload.length() < 4 || payload.getByte(0) != MAGIC_0 || payload.getByte(1) != MAGIC_1) {
            throw new IllegalArgumentException("not a Sinkron channel hello");
        }
        if (payload.getByte(2) != VERSION) {
            throw new IllegalArgumentException("unsupported channel format version " + payload.getByte(2));
        }
        return payload.getString(3, payload.length(), StandardCharsets.UTF_8.name());
    }

    static void appendFrame(Buffer batch, byte[] frame) {
        batch.appendInt(frame.length).appendBytes(frame);
    }
}
