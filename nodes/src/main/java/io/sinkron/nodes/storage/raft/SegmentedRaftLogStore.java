package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@link RaftLogStore} in local segment files: every persist call is one checksummed frame appended to the newest
 * segment and made durable with {@code fdatasync} (DESIGN.md §6: "a local segmented log for Raft entries", chosen after
 * measuring PostgreSQL's COMMIT as the largest part of a lock operation's latency; docs/raft-log.md).
 *
 * <p><b>Layout:</b> {@code <directory>/<20-digit number>.seg}, frames as in {@link LogFrames}. When the writes since
 * the newest segment began exceed {@code segmentBytesMax}, the next persist starts a new segment whose first frame is
 * an image of every shard's whole state (hard state, snapshot, entries after it); once that segment is durable, the
 * older ones are deleted. So the files hold at most about the state plus {@code segmentBytesMax} of later writes, and
 * a snapshot's compaction reaches the disk at the next rotation.
 *
 * <p><b>Recovery:</b> {@link #open} replays the segments in order (an image frame resets every shard) into memory. A
 * damaged frame in the newest segment that no later sync mark shows to have been durable belongs to the last batch a
 * crash cut off: it and everything after it are cut away, and none of it was acknowledged. Any other damage refuses to
 * open ({@link IllegalStateException}). The newest segment runs on in zeros written ahead of its last frame ({@link
 * #PREALLOCATE_BYTES_DEFAULT}), so that appends do not grow the file; a crash leaves them behind, recovery reads them
 * as a torn write and cuts them away. Rotation and a clean close cut them first, so older segments read clean.
 *
 * <p><b>Threading:</b> {@link #persist} checks and applies the call to the in-memory state on the caller's thread,
 * encodes it, and hands the frame to the store's one writer thread, which appends every frame waiting, syncs once and
 * completes their stages in call order on that thread (callers must not block in continuations). Loads read memory.
 * <b>Atomicity:</b> a frame is durable whole or not at all; a refused call ({@link IllegalArgumentException}, {@link
 * IllegalStateException}) changes nothing. After an I/O failure every later call fails: memory may be ahead of disk.
 */
public final class SegmentedRaftLogStore implements RaftLogStore {

    /** Default writes per segment before rotation. */
    public static final long SEGMENT_BYTES_DEFAULT = 64L * 1024 * 1024;

    /**
     * Default bytes zero-filled ahead of the newest segment's end. Appending into blocks the file already has lets
     * {@code fdatasync} skip the file-size update and its journal commit: measured here, a 300-byte append and sync
     * took 190 µs (76 µs of system CPU) at the end of the file and 125 µs (48 µs) into zero-filled blocks.
     */
    public static final long PREALLOCATE_BYTES_DEFAULT = 4L * 1024 * 1024;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

    /** Frames waiting for the writer; the driver has one persist in flight, so this is far more than needed. */
    static final int QUEUE_CAPACITY = 1024;

    private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{20})\\.seg");
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    /** A frame to append, or a new segment to start with an image; {@code segment} 0 means the current one. */
    private record Job(long segment, ByteBuffer frame, CompletableFuture<Void> done) {}

    private static final Job STOP = new Job(-1, null, null);

    private final Path directory;
    private final PersistLimits limits;
    private final long segmentBytesMax;
    private final long preallocateBytes;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread writer;

    // Guarded by this: the state every accepted call produced, durable or not yet.
    private final Map<Integer, ShardLog> shards;
    private long segmentNumber;
    private long segmentBytes;
    private long imageBytes;
    private boolean closed;
    private Throwable failure;

    // Writer thread only.
    private FileChannel channel;
    private long allocatedTo; // the newest segment file's size: past channel.position() it holds zeros

    private SegmentedRaftLogStore(
            Path directory,
            PersistLimits limits,
            long segmentBytesMax,
            long preallocateBytes,
            Recovery recovered,
            FileChannel channel) {
        this.directory = directory;
        this.limits = limits;
        this.segmentBytesMax = segmentBytesMax;
        this.preallocateBytes = preallocateBytes;
        this.allocatedTo = recovered.segmentBytes;
        this.shards = recovered.shards;
        this.segmentNumber = recovered.segmentNumber;
        this.segmentBytes = recovered.segmentBytes;
        this.imageBytes = recovered.imageBytes;
        this.channel = channel;
        this.writer =
                Thread.ofPlatform().name("sinkron-raft-log-writer").daemon(true).unstarted(this::writeLoop);
    }

    /**
     * Opens (creating if needed) the log in {@code directory}, replaying what it holds.
     *
     * @throws UncheckedIOException when the directory or a segment cannot be read or prepared for writing
     * @throws IllegalStateException when a segment is damaged other than at the end of the newest one
     */
    public static SegmentedRaftLogStore open(Path directory, PersistLimits limits, long segmentBytesMax) {
        return open(directory, limits, segmentBytesMax, PREALLOCATE_BYTES_DEFAULT);
    }

    /**
     * Like {@link #open(Path, PersistLimits, long)}, zero-filling {@code preallocateBytes} ahead of the newest
     * segment's end whenever an append reaches it (0: the file grows with each append). A crash leaves the zeros
     * behind the last frame, which recovery reads as a torn write and cuts away.
     */
    static SegmentedRaftLogStore open(
            Path directory, PersistLimits limits, long segmentBytesMax, long preallocateBytes) {
        if (segmentBytesMax < 1) {
            throw new IllegalArgumentException("segmentBytesMax must be positive: " + segmentBytesMax);
        }
        if (preallocateBytes < 0) {
            throw new IllegalArgumentException("preallocateBytes must not be negative: " + preallocateBytes);
        }
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
                syncDirectory(directory.toAbsolutePath().getParent()); // the new directory's own name
            }
            Recovery recovered = Recovery.replay(directory, segments(directory));
            Path current = segmentPath(directory, recovered.segmentNumber);
            FileChannel channel = FileChannel.open(current, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            // Cut off a frame a crash left half-written, and the zeros preallocated behind it.
            channel.truncate(recovered.segmentBytes);
            channel.position(recovered.segmentBytes);
            channel.force(false);
            syncDirectory(directory);
            SegmentedRaftLogStore store =
                    new SegmentedRaftLogStore(directory, limits, segmentBytesMax, preallocateBytes, recovered, channel);
            store.writer.start();
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("opening the Raft log in " + directory, e);
        }
    }

    /** Whether {@code directory} holds any segment (a log this store would replay). */
    public static boolean holdsSegments(Path directory) {
        try {
            return Files.isDirectory(directory) && !segments(directory).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + directory, e);
        }
    }

    @Override
    public synchronized CompletionStage<PersistentState> load(int shard, SnapshotMeta bootstrap) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        if (failure != null) {
            // Memory may hold a call that never reached the disk.
            return CompletableFuture.failedStage(new IllegalStateException("store failed earlier", failure));
        }
        return ShardLog.load(shards.get(shard), bootstrap);
    }

    @Override
    public synchronized CompletionStage<Void> persist(List<ShardWrite> writes) {
        if (closed) {
            return CompletableFuture.failedStage(new IllegalStateException("store closed"));
        }
        if (failure != null) {
            return CompletableFuture.failedStage(new IllegalStateException("store failed earlier", failure));
        }
        try {
            limits.check(writes);
            ShardLog.checkCall(shards, writes);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return CompletableFuture.failedStage(e);
        }
        ByteBuffer frame;
        try {
            frame = LogFrames.encode(LogFrames.KIND_WRITES, writes);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedStage(e);
        }
        ShardLog.applyCall(shards, writes);
        Job job;
        try {
            job = nextJob(frame);
        } catch (IllegalArgumentException e) {
            // The call is applied in memory but cannot reach the disk: nothing later may be trusted.
            failure = e;
            return CompletableFuture.failedStage(e);
        }
        if (!queue.offer(job)) {
            failure = new IllegalStateException("more than " + QUEUE_CAPACITY + " frames wait for the disk");
            job.done.completeExceptionally(failure);
        }
        return job.done;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (queue.offer(STOP, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                writer.join(CLOSE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            closeQuietly(channel);
        }
    }

    /**
     * The frame of an accepted (and applied) call, or a new segment starting with the image that includes it.
     *
     * @throws IllegalArgumentException when the image is too large for one frame
     */
    private Job nextJob(ByteBuffer frame) {
        if (segmentBytes - imageBytes + frame.remaining() <= segmentBytesMax) {
            segmentBytes += frame.remaining();
            return new Job(0, frame, new CompletableFuture<>());
        }
        List<ShardWrite> image = new ArrayList<>();
        new TreeMap<>(shards).forEach((shard, log) -> {
            ShardWrite write = log.image(shard);
            if (write != null) {
                image.add(write);
            }
        });
        ByteBuffer imageFrame = LogFrames.encode(LogFrames.KIND_IMAGE, image);
        segmentNumber++;
        segmentBytes = imageFrame.remaining();
        imageBytes = segmentBytes;
        return new Job(segmentNumber, imageFrame, new CompletableFuture<>());
    }

    private void writeLoop() {
        List<Job> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                fail(batch, new IllegalStateException("the Raft log writer was interrupted", e));
                return;
            }
            queue.drainTo(batch, QUEUE_CAPACITY);
            stopping = batch.remove(STOP);
            try {
                boolean marked = false;
                for (Job job : batch) {
                    marked = write(job, marked);
                }
                channel.force(false);
            } catch (IOException | RuntimeException | Error e) {
                // Whatever stopped the writer, every waiting caller hears it; nothing waits for ever.
                fail(batch, e);
                return;
            }
            batch.forEach(job -> job.done.complete(null));
        }
        try {
            // A clean stop leaves no preallocated zeros behind, so the segment reads clean.
            channel.truncate(channel.position());
            channel.force(false);
        } catch (IOException e) {
            // Everything acknowledged was synced already; the zeros are read as a torn tail and cut at the next open.
        }
        closeQuietly(channel);
    }

    /**
     * Appends one job's frame; returns whether the segment's current batch now has its sync mark. Every batch of
     * frames written between two syncs starts with a mark holding the segment's durable length (see {@link
     * LogFrames#syncMark}); an image is synced at once and starts a new segment, so the frames after it get a new mark.
     */
    private boolean write(Job job, boolean marked) throws IOException {
        if (job.segment != 0) {
            startSegment(job.segment);
            writeFully(job.frame);
            allocatedTo = channel.position();
            // The image is the whole state: once it is durable, the older segments are no longer needed.
            channel.force(false);
            for (Path old : segments(directory).headMap(job.segment).values()) {
                Files.delete(old);
            }
            syncDirectory(directory);
            return false;
        }
        ByteBuffer mark = marked ? null : LogFrames.syncMark(channel.position());
        reserve((mark == null ? 0 : mark.remaining()) + job.frame.remaining());
        if (mark != null) {
            writeFully(mark);
        }
        writeFully(job.frame);
        return true;
    }

    /**
     * Makes sure the segment file already extends {@code bytes} past the current position, zero-filling {@link
     * #preallocateBytes} beyond that when it does not. The batch's sync makes the new size durable with it.
     */
    private void reserve(long bytes) throws IOException {
        long end = channel.position() + bytes;
        if (preallocateBytes == 0 || end <= allocatedTo) {
            return;
        }
        long at = Math.max(allocatedTo, channel.position());
        long target = end + preallocateBytes;
        ByteBuffer zeros = ZEROS.duplicate();
        while (at < target) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), target - at));
            at += channel.write(zeros, at);
        }
        allocatedTo = target;
    }

    private void writeFully(ByteBuffer frame) throws IOException {
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    private void startSegment(long number) throws IOException {
        // An older segment must read clean to the end (recovery refuses damage before a newer segment): drop its
        // preallocated zeros, then sync the frames of this batch already in it.
        channel.truncate(channel.position());
        channel.force(false);
        channel.close();
        allocatedTo = 0;
        channel = FileChannel.open(
                segmentPath(directory, number), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        syncDirectory(directory);
    }

    private void fail(List<Job> batch, Throwable cause) {
        synchronized (this) {
            failure = cause;
        }
        batch.forEach(job -> job.done.completeExceptionally(cause));
        List<Job> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.stream().filter(job -> job != STOP).forEach(job -> job.done.completeExceptionally(cause));
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing after the last force: nothing unsynced can be lost here, and the caller is shutting down.
        }
    }

    static Path segmentPath(Path directory, long number) {
        return directory.resolve(String.format("%020d.seg", number));
    }

    /** The directory's segments by number. */
    static TreeMap<Long, Path> segments(Path directory) throws IOException {
        TreeMap<Long, Path> segments = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(file -> {
                Matcher name = SEGMENT_NAME.matcher(file.getFileName().toString());
                if (name.matches()) {
                    segments.put(Long.parseLong(name.group(1)), file);
                }
            });
        }
        return segments;
    }

    /** Makes created, renamed or deleted names in {@code directory} durable (Linux: fsync on the directory). */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** What replaying the segments found. */
    private static final class Recovery {

        final Map<Integer, ShardLog> shards = new HashMap<>();
        long segmentNumber = 1;
        long segmentBytes;
        long imageBytes;

        static Recovery replay(Path directory, TreeMap<Long, Path> segments) throws IOException {
            Recovery recovery = new Recovery();
            for (Map.Entry<Long, Path> segment : segments.entrySet()) {
                boolean newest = segment.getKey().equals(segments.lastKey());
                LogFrames.Scan scan = recovery.replaySegment(segment.getValue(), newest);
                if (!scan.clean() && !newest) {
                    throw new IllegalStateException(segment.getValue() + " is damaged at byte " + scan.validBytes()
                            + " and newer segments follow");
                }
                recovery.segmentNumber = segment.getKey();
                recovery.segmentBytes = scan.validBytes();
                boolean image =
                        !scan.frames().isEmpty() && scan.frames().getFirst().kind() == LogFrames.KIND_IMAGE;
                recovery.imageBytes = image ? LogFrames.HEADER_BYTES + firstBodyBytes(segment.getValue()) : 0;
            }
            return recovery;
        }

        private LogFrames.Scan replaySegment(Path segment, boolean newest) throws IOException {
            try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ)) {
                if (file.size() > Integer.MAX_VALUE) {
                    throw new IllegalStateException(segment + " holds " + file.size()
                            + " bytes, more than one segment may (2 GiB): lower sinkron.raft.log-segment-bytes");
                }
                ByteBuffer bytes = file.map(FileChannel.MapMode.READ_ONLY, 0, file.size());
                LogFrames.Scan scan = LogFrames.scan(bytes);
                if (!scan.clean() && newest) {
                    requireTornWrite(segment, bytes, (int) scan.validBytes());
                }
                for (LogFrames.Frame frame : scan.frames()) {
                    if (frame.kind() == LogFrames.KIND_IMAGE) {
                        shards.clear();
                    }
                    for (ShardWrite write : frame.writes()) {
                        ShardLog log = shards.computeIfAbsent(write.shard(), s -> new ShardLog());
                        log.checkFits(write);
                        log.apply(write);
                    }
                }
                return scan;
            }
        }

        /**
         * A bad frame in the newest segment is a write a crash cut off only if no later batch was begun after it was
         * durable: a sync mark behind the damage claiming more durable bytes than the damage's offset proves the
         * damaged bytes had been synced (and acknowledged), so this is damage, not a torn write.
         */
        private static void requireTornWrite(Path segment, ByteBuffer bytes, int damagedAt) {
            long claimed = LogFrames.durableBytesClaimedAfter(bytes, damagedAt);
            if (claimed > damagedAt) {
                throw new IllegalStateException(segment + " is damaged at byte " + damagedAt + ", inside the " + claimed
                        + " bytes a later write found durable: acknowledged writes are damaged");
            }
        }

        private static int firstBodyBytes(Path segment) throws IOException {
            try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ)) {
                ByteBuffer header = ByteBuffer.allocate(LogFrames.HEADER_BYTES);
                file.read(header, 0);
                return header.getInt(4);
            }
        }
    }
}
