package io.sinkron.schemas.raft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The binary wire form of {@link RaftMessage}, format version {@value #FORMAT_VERSION}.
 *
 * <p>Layout: a format-version byte, a message-tag byte, then the fields in record order, big-endian: ints and longs
 * fixed width, booleans one byte (0 or 1), byte arrays and lists as an int length followed by the elements. Every
 * length is bounded (STYLE.md rule 12) and checked before anything is allocated, so garbage input fails fast with
 * {@link MalformedMessageException} instead of exhausting memory. Tags and the layout are frozen per version; the
 * golden-bytes test fails the build if they change by accident. Stateless and thread-safe.
 */
public final class RaftCodec {

    /** The only version this codec writes and reads. */
    public static final byte FORMAT_VERSION = 1;
    /** Largest encoded message accepted, in bytes. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
    /** Most entries one AppendEntries may carry. */
    public static final int MAX_ENTRIES_PER_MESSAGE = 65_536;
    /** Largest command an entry may carry, in bytes. */
    public static final int MAX_COMMAND_BYTES = 8 * 1024 * 1024;
    /** Largest InstallSnapshot chunk, in bytes. */
    public static final int MAX_CHUNK_BYTES = 16 * 1024 * 1024;

    private static final byte TAG_PRE_VOTE_REQUEST = 1;
    private static final byte TAG_PRE_VOTE_RESPONSE = 2;
    private static final byte TAG_VOTE_REQUEST = 3;
    private static final byte TAG_VOTE_RESPONSE = 4;
    private static final byte TAG_APPEND_REQUEST = 5;
    private static final byte TAG_APPEND_RESPONSE = 6;
    private static final byte TAG_SNAPSHOT_REQUEST = 7;
    private static final byte TAG_SNAPSHOT_RESPONSE = 8;
    private static final byte TAG_TIMEOUT_NOW = 9;

    private static final byte PAYLOAD_NOOP = 0;
    private static final byte PAYLOAD_COMMAND = 1;
    private static final byte PAYLOAD_CONFIG = 2;

    private RaftCodec() {}

    /**
     * Encodes {@code message}.
     *
     * @throws IllegalArgumentException if the message exceeds a limit (too many entries, command or chunk too big)
     */
    public static byte[] encode(RaftMessage message) {
        ByteBuffer out = ByteBuffer.allocate(encodedSize(message));
        out.put(FORMAT_VERSION);
        out.put(tag(message));
        out.putInt(message.from()).putInt(message.to()).putLong(message.term());
        switch (message) {
            case RaftMessage.PreVoteRequest m -> out.putLong(m.lastLogIndex()).putLong(m.lastLogTerm());
            case RaftMessage.PreVoteResponse m -> putBoolean(out, m.granted());
            case RaftMessage.VoteRequest m -> {
                out.putLong(m.lastLogIndex()).putLong(m.lastLogTerm());
                putBoolean(out, m.leadershipTransfer());
            }
            case RaftMessage.VoteResponse m -> putBoolean(out, m.granted());
            case RaftMessage.AppendEntriesRequest m -> putAppendRequest(out, m);
            case RaftMessage.AppendEntriesResponse m -> {
                putBoolean(out, m.success());
                out.putLong(m.matchIndex()).putLong(m.rejectedIndex());
                out.putLong(m.conflictTerm()).putLong(m.conflictIndex()).putLong(m.readSequence());
            }
            case RaftMessage.InstallSnapshotRequest m -> {
                putMeta(out, m.meta());
                out.putLong(m.offset());
                byte[] chunk = m.chunk();
                requireAtMost("chunk bytes", chunk.length, MAX_CHUNK_BYTES);
                out.putInt(chunk.length).put(chunk);
                putBoolean(out, m.done());
            }
            case RaftMessage.InstallSnapshotResponse m -> {
                out.putLong(m.lastIncludedIndex()).putLong(m.nextOffset());
                putBoolean(out, m.done());
            }
            case RaftMessage.TimeoutNowRequest m -> {
                // Header only: from, to and term say everything.
            }
        }
        if (out.hasRemaining()) {
            throw new IllegalStateException("size estimate off by " + out.remaining() + " for " + message);
        }
        return out.array();
    }

    /**
     * Decodes one whole message.
     *
     * @throws MalformedMessageException if {@code bytes} is not exactly one valid message of this format version
     */
    public static RaftMessage decode(byte[] bytes) {
        if (bytes.length > MAX_MESSAGE_BYTES) {
            throw new MalformedMessageException("message of " + bytes.length + " bytes exceeds " + MAX_MESSAGE_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            RaftMessage message = decodeBody(in);
            if (in.hasRemaining()) {
                throw new MalformedMessageException(in.remaining() + " trailing bytes after " + message);
            }
            return message;
        } catch (BufferUnderflowException e) {
            throw new MalformedMessageException("truncated message of " + bytes.length + " bytes", e);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedMessageException("invalid field: " + e.getMessage(), e);
        }
    }

    private static RaftMessage decodeBody(ByteBuffer in) {
        byte version = in.get();
        if (version != FORMAT_VERSION) {
            throw new MalformedMessageException("unsupported format version " + version);
        }
        byte tag = in.get();
        int from = in.getInt();
        int to = in.getInt();
        long term = in.getLong();
        return switch (tag) {
            case TAG_PRE_VOTE_REQUEST -> new RaftMessage.PreVoteRequest(from, to, term, in.getLong(), in.getLong());
            case TAG_PRE_VOTE_RESPONSE -> new RaftMessage.PreVoteResponse(from, to, term, getBoolean(in));
            case TAG_VOTE_REQUEST ->
                new RaftMessage.VoteRequest(from, to, term, in.getLong(), in.getLong(), getBoolean(in));
            case TAG_VOTE_RESPONSE -> new RaftMessage.VoteResponse(from, to, term, getBoolean(in));
            case TAG_APPEND_REQUEST -> getAppendRequest(in, from, to, term);
            case TAG_APPEND_RESPONSE ->
                new RaftMessage.AppendEntriesResponse(
                        from,
                        to,
                        term,
                        getBoolean(in),
                        in.getLong(),
                        in.getLong(),
                        in.getLong(),
                        in.getLong(),
                        in.getLong());
            case TAG_SNAPSHOT_REQUEST -> {
                SnapshotMeta meta = getMeta(in);
                long offset = in.getLong();
                byte[] chunk = getBytes(in, MAX_CHUNK_BYTES, "chunk bytes");
                yield new RaftMessage.InstallSnapshotRequest(from, to, term, meta, offset, chunk, getBoolean(in));
            }
            case TAG_SNAPSHOT_RESPONSE ->
                new RaftMessage.InstallSnapshotResponse(from, to, term, in.getLong(), in.getLong(), getBoolean(in));
            case TAG_TIMEOUT_NOW -> new RaftMessage.TimeoutNowRequest(from, to, term);
            default -> throw new MalformedMessageException("unknown message tag " + tag);
        };
    }

    private static void putAppendRequest(ByteBuffer out, RaftMessage.AppendEntriesRequest m) {
        out.putLong(m.prevLogIndex())
                .putLong(m.prevLogTerm())
                .putLong(m.leaderCommit())
                .putLong(m.readSequence());
        requireAtMost("entries", m.entries().size(), MAX_ENTRIES_PER_MESSAGE);
        out.putInt(m.entries().size());
        for (LogEntry entry : m.entries()) {
            out.putLong(entry.term()).putLong(entry.index());
            putPayload(out, entry.payload());
        }
    }

    private static RaftMessage.AppendEntriesRequest getAppendRequest(ByteBuffer in, int from, int to, long term) {
        long prevLogIndex = in.getLong();
        long prevLogTerm = in.getLong();
        long leaderCommit = in.getLong();
        long readSequence = in.getLong();
        int count = getLength(in, MAX_ENTRIES_PER_MESSAGE, "entries");
        List<LogEntry> entries = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            long entryTerm = in.getLong();
            long index = in.getLong();
            entries.add(new LogEntry(entryTerm, index, getPayload(in)));
        }
        return new RaftMessage.AppendEntriesRequest(
                from, to, term, prevLogIndex, prevLogTerm, leaderCommit, readSequence, entries);
    }

    private static void putPayload(ByteBuffer out, EntryPayload payload) {
        switch (payload) {
            case EntryPayload.Noop noop -> out.put(PAYLOAD_NOOP);
            case EntryPayload.Command command -> {
                requireAtMost("command bytes", command.length(), MAX_COMMAND_BYTES);
                out.put(PAYLOAD_COMMAND).putInt(command.length());
                command.writeTo(out);
            }
            case EntryPayload.Config config -> {
                out.put(PAYLOAD_CONFIG);
                putConfig(out, config.config());
            }
        }
    }

    private static EntryPayload getPayload(ByteBuffer in) {
        byte kind = in.get();
        return switch (kind) {
            case PAYLOAD_NOOP -> new EntryPayload.Noop();
            case PAYLOAD_COMMAND -> new EntryPayload.Command(getBytes(in, MAX_COMMAND_BYTES, "command bytes"));
            case PAYLOAD_CONFIG -> new EntryPayload.Config(getConfig(in));
            default -> throw new MalformedMessageException("unknown payload kind " + kind);
        };
    }

    private static void putMeta(ByteBuffer out, SnapshotMeta meta) {
        out.putLong(meta.lastIncludedIndex()).putLong(meta.lastIncludedTerm());
        putConfig(out, meta.config());
    }

    private static SnapshotMeta getMeta(ByteBuffer in) {
        return new SnapshotMeta(in.getLong(), in.getLong(), getConfig(in));
    }

    private static void putConfig(ByteBuffer out, ClusterConfig config) {
        putIds(out, config.voters());
        putIds(out, config.learners());
    }

    private static ClusterConfig getConfig(ByteBuffer in) {
        Set<Integer> voters = getIds(in);
        return new ClusterConfig(voters, getIds(in));
    }

    private static void putIds(ByteBuffer out, Set<Integer> ids) {
        out.putInt(ids.size());
        for (int id : ids) {
            out.putInt(id);
        }
    }

    private static Set<Integer> getIds(ByteBuffer in) {
        int count = getLength(in, ClusterConfig.MAX_MEMBERS, "members");
        Set<Integer> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            if (!ids.add(in.getInt())) {
                throw new MalformedMessageException("duplicate member id in configuration");
            }
        }
        return ids;
    }

    private static byte[] getBytes(ByteBuffer in, int max, String what) {
        int length = getLength(in, max, what);
        if (length > in.remaining()) {
            throw new MalformedMessageException(
                    what + ": length " + length + " exceeds the " + in.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static int getLength(ByteBuffer in, int max, String what) {
        int length = in.getInt();
        if (length < 0 || length > max) {
            throw new MalformedMessageException(what + ": length " + length + " outside [0, " + max + "]");
        }
        return length;
    }

    private static void putBoolean(ByteBuffer out, boolean value) {
        out.put(value ? (byte) 1 : (byte) 0);
    }

    private static boolean getBoolean(ByteBuffer in) {
        byte value = in.get();
        if (value != 0 && value != 1) {
            throw new MalformedMessageException("boolean byte must be 0 or 1, was " + value);
        }
        return value == 1;
    }

    private static void requireAtMost(String what, int actual, int max) {
        if (actual > max) {
            throw new IllegalArgumentException(what + " " + actual + " exceeds the limit " + max);
        }
    }

    private static byte tag(RaftMessage message) {
        return switch (message) {
            case RaftMessage.PreVoteRequest m -> TAG_PRE_VOTE_REQUEST;
            case RaftMessage.PreVoteResponse m -> TAG_PRE_VOTE_RESPONSE;
            case RaftMessage.VoteRequest m -> TAG_VOTE_REQUEST;
            case RaftMessage.VoteResponse m -> TAG_VOTE_RESPONSE;
            case RaftMessage.AppendEntriesRequest m -> TAG_APPEND_REQUEST;
            case RaftMessage.AppendEntriesResponse m -> TAG_APPEND_RESPONSE;
            case RaftMessage.InstallSnapshotRequest m -> TAG_SNAPSHOT_REQUEST;
            case RaftMessage.InstallSnapshotResponse m -> TAG_SNAPSHOT_RESPONSE;
            case RaftMessage.TimeoutNowRequest m -> TAG_TIMEOUT_NOW;
        };
    }

    private static int encodedSize(RaftMessage message) {
        int header = 1 + 1 + 4 + 4 + 8;
        return header
                + switch (message) {
                    case RaftMessage.PreVoteRequest m -> 16;
                    case RaftMessage.PreVoteResponse m -> 1;
                    case RaftMessage.VoteRequest m -> 17;
                    case RaftMessage.VoteResponse m -> 1;
                    case RaftMessage.AppendEntriesRequest m -> appendSize(m);
                    case RaftMessage.AppendEntriesResponse m -> 1 + 5 * 8;
                    case RaftMessage.InstallSnapshotRequest m ->
                        16 + configSize(m.meta().config()) + 8 + 4 + m.chunk().length + 1;
                    case RaftMessage.InstallSnapshotResponse m -> 17;
                    case RaftMessage.TimeoutNowRequest m -> 0;
                };
    }

    private static int appendSize(RaftMessage.AppendEntriesRequest m) {
        int size = 4 * 8 + 4;
        for (LogEntry entry : m.entries()) {
            size += entry.sizeBytes();
        }
        return size;
    }

    private static int configSize(ClusterConfig config) {
        return 8 + 4 * (config.voters().size() + config.learners().size());
    }
}
