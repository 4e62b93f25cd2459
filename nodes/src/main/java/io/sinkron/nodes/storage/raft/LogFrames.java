package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The frames of {@link SegmentedRaftLogStore}'s segment files, format version 1. A segment is a sequence of frames,
 * each one persist call (or one image of every shard), written whole or, after a crash mid-write, cut short at the
 * end of the newest segment.
 *
 * <pre>
 * frame   = magic:int32 'SKL1' | bodyLength:int32 | crc32c(body):int32 | body
 * body    = kind:int8 (1 writes, 2 image) | writeCount:int32 | write*
 *         | kind:int8 (3 sync mark) | durableBytes:int64
 * write   = shard:int32 | flags:int8 (1 snapshot, 2 hard state) | [snapshot] | entryCount:int32 | entry* | [hard]
 * snapshot= lastIndex:int64 | lastTerm:int64 | configLength:int32 | config | dataLength:int32 | data
 * entry   = term:int64 | index:int64 | kind:int16 | payloadLength:int32 | payload
 * hard    = term:int64 | votedFor:int32
 * </pre>
 *
 * All numbers big-endian; payload kinds and configuration bytes as in {@link RaftRowCodec}. An image frame replaces
 * every shard's state (shards it does not name are empty); a writes frame applies its writes in order, with the
 * semantics of {@link RaftLogStore#persist}. A sync mark opens each batch the writer appends between two {@code
 * fdatasync}s and says how many bytes of the segment were already durable then: recovery uses it to tell a write cut
 * off by a crash (damage after every mark's durable length) from damage to data that had been acknowledged. Stateless
 * and thread-safe.
 */
final class LogFrames {

    static final int MAGIC = 0x534B4C31;
    static final int HEADER_BYTES = 12;
    /** Largest body accepted on read; larger lengths are damage, not data (a call is at most 128 MiB by default). */
    static final int BODY_BYTES_MAX = Integer.MAX_VALUE - 64;

    static final byte KIND_WRITES = 1;
    static final byte KIND_IMAGE = 2;
    static final byte KIND_SYNC_MARK = 3;

    private static final byte HAS_SNAPSHOT = 1;
    private static final byte HAS_HARD_STATE = 2;

    /** One decoded frame; {@code durableBytes} is -1 except for a sync mark. */
    record Frame(byte kind, List<ShardWrite> writes, long durableBytes) {}

    /**
     * The frames found at the start of a segment's bytes, and where the valid part ends.
     *
     * @param frames the whole frames, in order
     * @param validBytes bytes up to the end of the last whole frame
     * @param clean whether the bytes end exactly there (false: a cut-off or damaged frame follows)
     */
    record Scan(List<Frame> frames, long validBytes, boolean clean) {}

    private LogFrames() {}

    /** A sync mark: the first {@code durableBytes} bytes of the segment were durable when it was written. */
    static ByteBuffer syncMark(long durableBytes) {
        int bodyBytes = 1 + 8;
        ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + bodyBytes);
        frame.position(HEADER_BYTES);
        frame.put(KIND_SYNC_MARK).putLong(durableBytes);
        return seal(frame, bodyBytes);
    }

    /** One frame holding {@code writes}. */
    static ByteBuffer encode(byte kind, List<ShardWrite> writes) {
        long bodyBytes = 1 + 4;
        List<byte[]> payloads = new ArrayList<>(); // each entry's payload bytes, made once
        for (ShardWrite write : writes) {
            bodyBytes += writeBytes(write, payloads);
        }
        if (bodyBytes > BODY_BYTES_MAX) {
            throw new IllegalArgumentException("a frame of " + bodyBytes + " bytes exceeds the format's limit");
        }
        ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + (int) bodyBytes);
        frame.position(HEADER_BYTES);
        frame.put(kind);
        frame.putInt(writes.size());
        Iterator<byte[]> payload = payloads.iterator();
        for (ShardWrite write : writes) {
            putWrite(frame, write, payload);
        }
        return seal(frame, (int) bodyBytes);
    }

    private static ByteBuffer seal(ByteBuffer frame, int bodyBytes) {
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), HEADER_BYTES, bodyBytes);
        frame.putInt(0, MAGIC).putInt(4, bodyBytes).putInt(8, (int) crc.getValue());
        return frame.flip();
    }

    /**
     * Reads whole frames from the start of {@code bytes} until the end or the first frame that is cut off or fails its
     * checksum.
     *
     * @throws IllegalStateException when a frame passes its checksum but its body does not decode (a bug, or damage
     *     the checksum missed)
     */
    static Scan scan(ByteBuffer bytes) {
        List<Frame> frames = new ArrayList<>();
        int position = 0;
        while (bytes.limit() - position >= HEADER_BYTES) {
            int bodyBytes = wholeFrameBody(bytes, position);
            if (bodyBytes < 0) {
                return new Scan(frames, position, false);
            }
            frames.add(decodeBody(bytes.slice(position + HEADER_BYTES, bodyBytes)));
            position += HEADER_BYTES + bodyBytes;
        }
        return new Scan(frames, position, position == bytes.limit());
    }

    /**
     * The largest durable length any sync mark after {@code from} claims, looking for whole frames at every byte
     * offset (the frame at {@code from} is damaged, so later frame boundaries are unknown); -1 when there is none. A
     * real mark always claims exactly its own offset (the writer writes it where the segment's durable part ends), so
     * only such candidates count: bytes inside an entry's payload that happen to form a mark do not, unless they also
     * sit at the very offset they name.
     */
    static long durableBytesClaimedAfter(ByteBuffer bytes, int from) {
        long claimed = -1;
        for (int position = from + 1; bytes.limit() - position >= HEADER_BYTES; position++) {
            if (bytes.getInt(position) != MAGIC || bytes.getInt(position + 4) != 1 + 8) {
                continue;
            }
            int bodyBytes = wholeFrameBody(bytes, position);
            if (bodyBytes == 1 + 8
                    && bytes.get(position + HEADER_BYTES) == KIND_SYNC_MARK
                    && bytes.getLong(position + HEADER_BYTES + 1) == position) {
                claimed = Math.max(claimed, position);
            }
        }
        return claimed;
    }

    /** The body length of the whole, checksum-clean frame at {@code position}, or -1. */
    private static int wholeFrameBody(ByteBuffer bytes, int position) {
        int magic = bytes.getInt(position);
        int bodyBytes = bytes.getInt(position + 4);
        if (magic != MAGIC || bodyBytes < 1 + 4 || bodyBytes > bytes.limit() - position - HEADER_BYTES) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.slice(position + HEADER_BYTES, bodyBytes));
        return (int) crc.getValue() == bytes.getInt(position + 8) ? bodyBytes : -1;
    }

    private static long writeBytes(ShardWrite write, List<byte[]> payloads) {
        long bytes = 4 + 1 + 4;
        if (write.snapshot() != null) {
            bytes += 8
                    + 8
                    + 4
                    + RaftRowCodec.configBytes(write.snapshot().meta().config()).length
                    + 4
                    + write.snapshot().data().length;
        }
        for (LogEntry entry : write.entries()) {
            byte[] payload = RaftRowCodec.payloadBytes(entry.payload());
            payloads.add(payload);
            bytes += 8 + 8 + 2 + 4 + payload.length;
        }
        if (write.hardState() != null) {
            bytes += 8 + 4;
        }
        return bytes;
    }

    private static void putWrite(ByteBuffer out, ShardWrite write, Iterator<byte[]> payloads) {
        out.putInt(write.shard());
        byte flags = 0;
        if (write.snapshot() != null) {
            flags |= HAS_SNAPSHOT;
        }
        if (write.hardState() != null) {
            flags |= HAS_HARD_STATE;
        }
        out.put(flags);
        if (write.snapshot() != null) {
            SnapshotMeta meta = write.snapshot().meta();
            out.putLong(meta.lastIncludedIndex()).putLong(meta.lastIncludedTerm());
            putBytes(out, RaftRowCodec.configBytes(meta.config()));
            putBytes(out, write.snapshot().data());
        }
        out.putInt(write.entries().size());
        for (LogEntry entry : write.entries()) {
            out.putLong(entry.term()).putLong(entry.index()).putShort(RaftRowCodec.kind(entry.payload()));
            putBytes(out, payloads.next());
        }
        if (write.hardState() != null) {
            out.putLong(write.hardState().term()).putInt(write.hardState().votedFor());
        }
    }

    private static void putBytes(ByteBuffer out, byte[] bytes) {
        out.putInt(bytes.length).put(bytes);
    }

    private static Frame decodeBody(ByteBuffer body) {
        try {
            byte kind = body.get();
            if (kind == KIND_SYNC_MARK) {
                long durableBytes = body.getLong();
                if (durableBytes < 0 || body.hasRemaining()) {
                    throw new IllegalStateException("sync mark is malformed");
                }
                return new Frame(kind, List.of(), durableBytes);
            }
            if (kind != KIND_WRITES && kind != KIND_IMAGE) {
                throw new IllegalStateException("log frame of unknown kind " + kind);
            }
            int count = count(body, 4 + 1 + 4);
            List<ShardWrite> writes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                writes.add(getWrite(body));
            }
            if (body.hasRemaining()) {
                throw new IllegalStateException("log frame has " + body.remaining() + " trailing bytes");
            }
            return new Frame(kind, writes, -1);
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("log frame body is cut short", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("log frame holds an invalid value: " + e.getMessage(), e);
        }
    }

    private static ShardWrite getWrite(ByteBuffer in) {
        int shard = in.getInt();
        byte flags = in.get();
        Snapshot snapshot = null;
        if ((flags & HAS_SNAPSHOT) != 0) {
            long index = in.getLong();
            long term = in.getLong();
            SnapshotMeta meta = new SnapshotMeta(index, term, RaftRowCodec.config(getBytes(in)));
            snapshot = new Snapshot(meta, getBytes(in));
        }
        int count = count(in, 8 + 8 + 2 + 4);
        List<LogEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long term = in.getLong();
            long index = in.getLong();
            short kind = in.getShort();
            entries.add(new LogEntry(term, index, RaftRowCodec.payload(kind, getBytes(in))));
        }
        HardState hardState = (flags & HAS_HARD_STATE) != 0 ? new HardState(in.getLong(), in.getInt()) : null;
        return new ShardWrite(shard, snapshot, entries, hardState);
    }

    private static byte[] getBytes(ByteBuffer in) {
        byte[] bytes = new byte[count(in, 1)];
        in.get(bytes);
        return bytes;
    }

    /** A count read from {@code in}, checked against the bytes left so damage cannot make us allocate wildly. */
    private static int count(ByteBuffer in, int minBytesEach) {
        int count = in.getInt();
        if (count < 0 || (long) count * minBytesEach > in.remaining()) {
            throw new IllegalStateException("log frame names " + count + " items in " + in.remaining() + " bytes");
        }
        return count;
    }
}
