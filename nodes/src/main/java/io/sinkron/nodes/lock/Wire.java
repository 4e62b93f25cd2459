package io.sinkron.nodes.lock;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian binary layout shared by commands, replies and snapshots. Reading is bounded: every string and count
 * names its maximum, text must be valid UTF-8, and anything off is an {@link IllegalArgumentException} (never an
 * allocation sized by untrusted input).
 */
final class Wire {

    private Wire() {}

    /**
     * Checks that {@code text} is well-formed (no lone surrogates, so it survives a UTF-8 round trip) and fits in
     * {@code bytesMax} UTF-8 bytes; {@link IllegalArgumentException} naming {@code what} otherwise.
     */
    static String checkText(String text, int bytesMax, String what) {
        if (text == null) {
            throw new NullPointerException(what);
        }
        // One pass and no allocation: this runs for every name and client id of every command on every replica.
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " is not well-formed Unicode");
            } else {
                length += 3;
            }
        }
        if (length > bytesMax) {
            throw new IllegalArgumentException(what + " has " + length + " UTF-8 bytes, more than " + bytesMax);
        }
        return text;
    }

    /** Appends fields; strings longer than their maximum are a caller bug. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        Writer u8(int value) {
            out.write(value);
            return this;
        }

        Writer bool(boolean value) {
            return u8(value ? 1 : 0);
        }

        Writer i32(int value) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(value >>> shift);
            }
            return this;
        }

        Writer i64(long value) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (value >>> shift));
            }
            return this;
        }

        /** A u16 byte length and the UTF-8 bytes. */
        Writer string(String value, int bytesMax) {
            byte[] raw = value.getBytes(StandardCharsets.UTF_8);
            if (raw.length > bytesMax || raw.length > 0xFFFF) {
                throw new IllegalArgumentException("string of " + raw.length + " bytes exceeds " + bytesMax);
            }
            out.write(raw.length >>> 8);
            out.write(raw.length);
            out.write(raw, 0, raw.length);
            return this;
        }

        /** An i32 length and the bytes. */
        Writer bytes(byte[] value) {
            i32(value.length);
            out.write(value, 0, value.length);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Reads fields from a byte array; every failure is an {@link IllegalArgumentException}. */
    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] bytes) {
            this.in = ByteBuffer.wrap(bytes);
        }

        byte u8() {
            try {
                return in.get();
            } catch (BufferUnderflowException e) {
                throw truncated(e);
            }
        }

        boolean bool() {
            byte value = u8();
            if (value != 0 && value != 1) {
                throw new IllegalArgumentException("boolean byte " + value);
            }
            return value == 1;
        }

        int i32() {
            try {
                return in.getInt();
            } catch (BufferUnderflowException e) {
                throw truncated(e);
            }
        }

        long i64() {
            try {
                return in.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated(e);
            }
        }

        /** A count in {@code [0, max]}. */
        int count(int max) {
            int count = i32();
            if (count < 0 || count > max) {
                throw new IllegalArgumentException("count " + count + " outside [0, " + max + "]");
            }
            return count;
        }

        String string(int bytesMax) {
            int length = ((u8() & 0xFF) << 8) | (u8() & 0xFF);
            if (length > bytesMax || length > in.remaining()) {
                throw new IllegalArgumentException("string of " + length + " bytes (max " + bytesMax + ")");
            }
            if (in.hasArray() && ascii(in.array(), in.arrayOffset() + in.position(), length)) {
                String text =
                        new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.US_ASCII);
                in.position(in.position() + length);
                return text; // names and client ids are ASCII: no decoder to build
            }
            ByteBuffer raw = in.slice(in.position(), length);
            in.position(in.position() + length);
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(raw)
                        .toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("text is not valid UTF-8", e);
            }
        }

        private static boolean ascii(byte[] bytes, int from, int length) {
            for (int i = from; i < from + length; i++) {
                if (bytes[i] < 0) {
                    return false;
                }
            }
            return true;
        }

        byte[] bytes(int bytesMax) {
            int length = i32();
            if (length < 0 || length > bytesMax || length > in.remaining()) {
                throw new IllegalArgumentException("byte field of " + length + " bytes (max " + bytesMax + ")");
            }
            byte[] raw = new byte[length];
            in.get(raw);
            return raw;
        }

        /** Fails unless every byte was read: trailing bytes mean the writer and reader disagree. */
        void end() {
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            }
        }

        private static IllegalArgumentException truncated(BufferUnderflowException e) {
            return new IllegalArgumentException("truncated", e);
        }
    }
}
