package io.sinkron.nodes.kv;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A write to the key-value register, as it travels in the Raft log. {@code clientId} + {@code sequence} identify the
 * request for at-most-once application (Raft dissertation §6.3); an empty {@code clientId} opts out.
 *
 * <p>Layout: version byte, op byte, client id (u16 length + UTF-8), sequence (i64), key (u16 length + UTF-8), value
 * (i32 length + bytes).
 */
public record KvCommand(String clientId, long sequence, String key, byte[] value) {

    /** Names: DESIGN.md §7. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:/-]{1,256}");

    /** Client ids: printable, bounded, so the session table's memory is bounded per entry. */
    public static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{0,128}");

    /** Largest value a PUT may carry; larger bodies are refused with 413 before they reach the log. */
    public static final int VALUE_BYTES_MAX = 64 * 1024;

    static final byte FORMAT_VERSION = 1;
    static final byte OP_PUT = 1;

    public KvCommand {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key must match " + KEY + ": " + key);
        }
        if (!CLIENT_ID.matcher(clientId).matches()) {
            throw new IllegalArgumentException("client id must match " + CLIENT_ID);
        }
        if (value.length > VALUE_BYTES_MAX) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds " + VALUE_BYTES_MAX);
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative: " + sequence);
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public byte[] encode() {
        byte[] client = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] name = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 2 + client.length + 8 + 2 + name.length + 4 + value.length)
                .put(FORMAT_VERSION)
                .put(OP_PUT)
                .putShort((short) client.length)
                .put(client)
                .putLong(sequence)
                .putShort((short) name.length)
                .put(name)
                .putInt(value.length)
                .put(value)
                .array();
    }

    /** Reads a command; {@link IllegalArgumentException} for anything malformed. */
    public static KvCommand decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != FORMAT_VERSION || in.get() != OP_PUT) {
                throw new IllegalArgumentException("unknown command version or op");
            }
            String client = string(in, in.getShort() & 0xFFFF);
            long sequence = in.getLong();
            String key = string(in, in.getShort() & 0xFFFF);
            int length = in.getInt();
            if (length < 0 || length != in.remaining()) {
                throw new IllegalArgumentException("value length " + length + " disagrees with the command");
            }
            byte[] value = new byte[length];
            in.get(value);
            return new KvCommand(client, sequence, key, value);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated command", e);
        }
    }

    private static String string(ByteBuffer in, int length) {
        byte[] raw = new byte[length];
        in.get(raw);
        return new String(raw, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KvCommand c
                && clientId.equals(c.clientId)
                && sequence == c.sequence
                && key.equals(c.key)
                && Arrays.equals(value, c.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientId, sequence, key) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "KvCommand[" + clientId + "#" + sequence + " " + key + ", " + value.length + "B]";
    }
}
