package io.sinkron.nodes.storage.raft;

import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.BOOTSTRAP;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.CONFIG;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.WAIT_SECONDS;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.assertRefused;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.commands;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.load;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.persist;
import static io.sinkron.nodes.storage.raft.RaftLogStoreContractTest.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.consensus.raft.Snapshot;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Crash recovery of the segmented file store, beyond the RaftLogStore contract (which SegmentedRaftLogStoreContractTest
// already runs, also reopening before every load). A "crash" here is a copy of the files as a dead process would leave
// them: cut short at any byte (a torn append), with a flipped byte (damage the checksum must catch), or with a new
// segment whose image never completed (a crash during rotation). Expected states come from replaying the same calls
// into a MemoryRaftLogStore, so each check says: recovery gives back exactly the acknowledged calls up to the damage,
// and nothing else — or, when a later sync mark proves the damaged bytes had been durable, refuses to open. Also:
// rotation keeps one segment and every acknowledged call durable, a closed store refuses work
// but loses nothing queued, and several writes for one shard in one call are checked in order, all or nothing.
class SegmentedRaftLogStoreTest {

    /** Large enough that the histories here stay in one segment. */
    private static final long ONE_SEGMENT = SegmentedRaftLogStore.SEGMENT_BYTES_DEFAULT;
    /** The sync mark that opens each batch, here each call. */
    private static final long SYNC_MARK_BYTES = LogFrames.syncMark(0).remaining();
    /** Small enough that most calls rotate. */
    private static final long TINY_SEGMENT = 256;
    /** Every shard the histories touch, plus one they never touch. */
    private static final List<Integer> SHARDS = List.of(1, 2, 3, 4, 5, 6, 99, 100);
    /** A call that fits any prefix of {@link #history()}: shard 99 is not in it. */
    private static final ShardWrite EXTRA = new ShardWrite(99, null, commands(7, 1, 2), new HardState(7, 1));

    @TempDir
    Path temp;

    // ---- torn tail ----

    @Test
    void tailCutAtAnyByteRecoversExactlyTheCallsWhoseFramesEndBeforeTheCut() throws IOException {
        Written written = writeHistory(temp.resolve("source"));
        List<Map<Integer, PersistentState>> expected = expectedStates(written.calls(), null);
        Path dir = Files.createDirectories(temp.resolve("torn"));
        Path segment = SegmentedRaftLogStore.segmentPath(dir, 1);

        for (int cut = 0; cut <= written.segment().length; cut++) {
            Files.write(segment, Arrays.copyOf(written.segment(), cut));
            int kept = written.callsWithin(cut);

            assertThat(recovered(dir, ONE_SEGMENT)).as("cut at byte %d", cut).isEqualTo(expected.get(kept));
            // The store cut the torn frame away, so its next frame starts where the last whole one ended (a call's
            // bytes are its batch's sync mark and its frame; a whole mark without its frame may stay).
            assertThat(Files.size(segment))
                    .as("cut at byte %d", cut)
                    .isIn(written.ends()[kept], written.ends()[kept] + SYNC_MARK_BYTES);
        }
    }

    @Test
    void tailCutAtAnyByteOfBatchedFramesRecoversAPrefixOfTheCalls() throws Exception {
        List<List<ShardWrite>> calls = history();
        List<Map<Integer, PersistentState>> expected = expectedStates(calls, null);
        byte[] whole = writeWithoutWaiting(calls, temp.resolve("batched"));
        Path dir = Files.createDirectories(temp.resolve("torn"));
        Path segment = SegmentedRaftLogStore.segmentPath(dir, 1);

        // Frames issued without waiting share batches (several frames, one sync mark, one fdatasync), so frame ends
        // are not known from the outside; whatever the cut, recovery must give the state after some prefix of the
        // calls, a longer prefix for a longer file, and all of them for the whole file.
        int prefix = 0;
        for (int cut = 0; cut <= whole.length; cut++) {
            Files.write(segment, Arrays.copyOf(whole, cut));
            Map<Integer, PersistentState> state = recovered(dir, ONE_SEGMENT);
            int k = prefix;
            while (k < expected.size() && !expected.get(k).equals(state)) {
                k++;
            }
            assertThat(k)
                    .as("cut at byte %d: the state after a prefix of at least %d calls", cut, prefix)
                    .isLessThan(expected.size());
            prefix = k;
        }
        assertThat(prefix).isEqualTo(calls.size());
    }

    /**
     * Persists every call without waiting for the one before, so the writer gathers several frames per sync; tries
     * again (up to five times) until at least one batch held two frames or more. Returns the segment's bytes.
     */
    private static byte[] writeWithoutWaiting(List<List<ShardWrite>> calls, Path base) throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            Path dir = base.resolve("attempt-" + attempt);
            try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
                List<CompletableFuture<Void>> stages = new ArrayList<>();
                for (List<ShardWrite> call : calls) {
                    stages.add(store.persist(call).toCompletableFuture());
                }
                for (CompletableFuture<Void> stage : stages) {
                    stage.get(WAIT_SECONDS, TimeUnit.SECONDS);
                }
            }
            byte[] bytes = Files.readAllBytes(SegmentedRaftLogStore.segmentPath(dir, 1));
            long marks = LogFrames.scan(ByteBuffer.wrap(bytes)).frames().stream()
                    .filter(frame -> frame.kind() == LogFrames.KIND_SYNC_MARK)
                    .count();
            if (marks < calls.size()) {
                return bytes;
            }
        }
        throw new AssertionError("five runs never put two frames in one batch");
    }

    @Test
    void afterATornTailIsCutAwayTheNextCallSurvivesAnotherReopen() throws IOException {
        Written written = writeHistory(temp.resolve("source"));
        List<Map<Integer, PersistentState>> expected = expectedStates(written.calls(), EXTRA);
        Path dir = Files.createDirectories(temp.resolve("torn"));

        // One cut inside every frame's header and one inside its body. Were the torn bytes left in place, the new
        // frame would follow them and the next recovery would stop at them, losing an acknowledged call.
        for (int k = 1; k <= written.calls().size(); k++) {
            long start = written.ends()[k - 1];
            for (long cut : new long[] {start + 5, (start + LogFrames.HEADER_BYTES + written.ends()[k]) / 2}) {
                Files.write(SegmentedRaftLogStore.segmentPath(dir, 1), Arrays.copyOf(written.segment(), (int) cut));
                try (SegmentedRaftLogStore store =
                        SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
                    persist(store, EXTRA);
                }

                assertThat(recovered(dir, ONE_SEGMENT))
                        .as("cut at byte %d", cut)
                        .isEqualTo(expected.get(k - 1));
            }
        }
    }

    // ---- preallocated zeros ----

    @Test
    void aCrashLeavingPreallocatedZerosBehindTheLastFrameKeepsEveryAcknowledgedCall() throws IOException {
        List<List<ShardWrite>> calls = history();
        List<Map<Integer, PersistentState>> expected = expectedStates(calls, EXTRA);
        Path dir = temp.resolve("log");
        long written;
        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
            for (List<ShardWrite> call : calls) {
                persist(store, call.toArray(ShardWrite[]::new));
            }
            Path crashed = copyOf(dir, temp.resolve("crash"));
            byte[] bytes = Files.readAllBytes(SegmentedRaftLogStore.segmentPath(crashed, 1));
            written = LogFrames.scan(ByteBuffer.wrap(bytes)).validBytes();
            // The file runs on past its frames, in zeros: appends land in blocks it already has.
            assertThat((long) bytes.length)
                    .isGreaterThan(written)
                    .isGreaterThanOrEqualTo(SegmentedRaftLogStore.PREALLOCATE_BYTES_DEFAULT);
            assertThat(Arrays.copyOfRange(bytes, (int) written, bytes.length)).containsOnly((byte) 0);

            // Recovery reads the zeros as a torn tail: every call is there, the zeros are cut away, and a call
            // appended after them survives the next reopen.
            assertThat(recovered(crashed, ONE_SEGMENT))
                    .isEqualTo(expectedStates(calls, null).getLast());
            assertThat(Files.size(SegmentedRaftLogStore.segmentPath(crashed, 1)))
                    .isEqualTo(written);
            try (SegmentedRaftLogStore reopened =
                    SegmentedRaftLogStore.open(crashed, PersistLimits.DEFAULT, ONE_SEGMENT)) {
                persist(reopened, EXTRA);
            }
            assertThat(recovered(crashed, ONE_SEGMENT)).isEqualTo(expected.getLast());
        }
        // A clean close leaves no zeros: the segment ends with its last frame.
        byte[] closed = Files.readAllBytes(SegmentedRaftLogStore.segmentPath(dir, 1));
        assertThat(LogFrames.scan(ByteBuffer.wrap(closed)).clean()).isTrue();
        assertThat((long) closed.length).isEqualTo(written);
    }

    // ---- damaged bytes ----

    @Test
    void damageAnywhereInTheLastFrameDropsOnlyTheLastCall() throws IOException {
        Written written = writeHistory(temp.resolve("source"));
        int last = written.calls().size();
        List<Map<Integer, PersistentState>> expected = expectedStates(written.calls(), null);
        Path dir = Files.createDirectories(temp.resolve("flipped"));
        Path segment = SegmentedRaftLogStore.segmentPath(dir, 1);

        // Every byte: magic, length, checksum and body. A flipped length either points past the end or makes the
        // checksum cover other bytes; either way the frame reads as never completed.
        for (long at = written.ends()[last - 1]; at < written.ends()[last]; at++) {
            Files.write(segment, flipped(written.segment(), at));

            assertThat(recovered(dir, ONE_SEGMENT)).as("byte %d flipped", at).isEqualTo(expected.get(last - 1));
            assertThat(Files.size(segment))
                    .as("byte %d flipped", at)
                    .isIn(written.ends()[last - 1], written.ends()[last - 1] + SYNC_MARK_BYTES);
        }
    }

    @Test
    void damageBeforeALaterSyncRefusesToOpenAndLeavesTheFileAlone() throws IOException {
        Written written = writeHistory(temp.resolve("source"));
        Path dir = Files.createDirectories(temp.resolve("flipped"));
        Path segment = SegmentedRaftLogStore.segmentPath(dir, 1);

        // Every call was its own batch, and each later batch opens with a sync mark saying how many bytes were durable
        // when it began: damage inside an earlier call's bytes is damage to acknowledged data, not a torn write, and
        // must stop the node rather than cut away the calls after it.
        for (int k = 0; k < written.calls().size() - 1; k++) {
            long at = (written.ends()[k] + LogFrames.HEADER_BYTES + written.ends()[k + 1]) / 2; // inside the body
            byte[] damaged = flipped(written.segment(), at);
            Files.write(segment, damaged);

            assertThatThrownBy(() -> SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT))
                    .as("byte %d of call %d flipped", at, k)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("acknowledged writes are damaged");
            assertThat(Files.readAllBytes(segment)).as("file after the refusal").isEqualTo(damaged);
        }
        // And every byte of one call in the middle (its sync mark and its frame).
        int middle = written.calls().size() / 2;
        for (long at = written.ends()[middle]; at < written.ends()[middle + 1]; at++) {
            Files.write(segment, flipped(written.segment(), at));

            assertThatThrownBy(() -> SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT))
                    .as("byte %d flipped", at)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aSyncMarkInsideAnEntryDoesNotTurnATornWriteIntoDamage() throws IOException {
        Path dir = temp.resolve("forged");
        // A command whose bytes are a whole, checksum-clean sync mark claiming far more than the file holds, as a
        // client could store in a value: when the frame carrying it is torn, it must not pass for a later batch.
        ByteBuffer mark = LogFrames.syncMark(1L << 40);
        byte[] payload = Arrays.copyOf(Arrays.copyOf(mark.array(), mark.remaining()), mark.remaining() + 64);
        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
            persist(store, new ShardWrite(1, null, commands(1, 1, 2), new HardState(1, 1)));
            persist(
                    store,
                    new ShardWrite(1, null, List.of(new LogEntry(1, 3, new EntryPayload.Command(payload))), null));
        }
        Path segment = SegmentedRaftLogStore.segmentPath(dir, 1);
        byte[] whole = Files.readAllBytes(segment);
        Files.write(segment, Arrays.copyOf(whole, whole.length - 32)); // torn inside the padding, after the mark

        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
            PersistentState state = load(store, 1);
            assertThat(state.entries()).containsExactlyElementsOf(commands(1, 1, 2));
            assertThat(state.hardState()).isEqualTo(new HardState(1, 1));
        }
    }

    @Test
    void damagedSegmentFollowedByANewerOneRefusesToOpen() throws IOException {
        List<List<ShardWrite>> calls = history();
        int split = calls.size() / 2;
        Path dir = temp.resolve("log");
        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
            calls.subList(0, split).forEach(call -> persist(store, call.toArray(ShardWrite[]::new)));
        }
        byte[] older = Files.readAllBytes(SegmentedRaftLogStore.segmentPath(dir, 1));
        // Reopened with tiny segments, the next call starts segment 2 with an image, and segment 1 is deleted.
        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, TINY_SEGMENT)) {
            calls.subList(split, calls.size()).forEach(call -> persist(store, call.toArray(ShardWrite[]::new)));
        }
        assertThat(segmentNumbers(dir)).doesNotContain(1L).hasSize(1);
        Map<Integer, PersistentState> full = expectedStates(calls, null).getLast();

        // Control: the intact older segment put back (a crash before its deletion) is harmless, the image resets it.
        Files.write(SegmentedRaftLogStore.segmentPath(dir, 1), older);
        assertThat(recovered(dir, TINY_SEGMENT)).isEqualTo(full);

        // Damaged or cut short, it is not a torn tail (it was synced before the newer segment began): refuse to open.
        for (byte[] damaged : List.of(flipped(older, older.length / 2), Arrays.copyOf(older, older.length - 3))) {
            Files.write(SegmentedRaftLogStore.segmentPath(dir, 1), damaged);

            assertThatThrownBy(() -> SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, TINY_SEGMENT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("newer segments follow");
        }
    }

    // ---- rotation ----

    @Test
    void rotationKeepsOneSegmentAndEveryAcknowledgedCallDurable() throws IOException {
        Path dir = temp.resolve("log");
        MemoryRaftLogStore model = new MemoryRaftLogStore(PersistLimits.DEFAULT);
        List<Long> numbers = new ArrayList<>();
        List<List<ShardWrite>> calls = longHistory();
        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, TINY_SEGMENT)) {
            for (int k = 0; k < calls.size(); k++) {
                ShardWrite[] call = calls.get(k).toArray(ShardWrite[]::new);
                persist(store, call);
                persist(model, call);

                // The older segments are deleted before the rotating call is acknowledged.
                TreeSet<Long> segments = segmentNumbers(dir);
                assertThat(segments).as("segments after call %d", k).hasSize(1);
                numbers.add(segments.first());
                // A crash right now (a copy of the files) keeps every acknowledged call, including this one.
                assertThat(recovered(copyOf(dir, temp.resolve("crash-" + k)), TINY_SEGMENT))
                        .as("crash after call %d", k)
                        .isEqualTo(states(model));
            }
        }

        assertThat(numbers).isSorted();
        assertThat(new TreeSet<>(numbers)).as("distinct segments").hasSizeGreaterThan(10);
        Map<Integer, PersistentState> reopened = recovered(dir, TINY_SEGMENT);
        assertThat(reopened).isEqualTo(states(model));
        // Spelled out: shards written only by the first call live on in every image...
        assertThat(reopened.get(5).hardState()).isEqualTo(new HardState(3, 2));
        assertThat(reopened.get(6).entries()).containsExactlyElementsOf(commands(1, 1, 2));
        // ...and shard 1 has its last snapshot and the entries after it.
        assertThat(reopened.get(1).snapshot()).isEqualTo(snapshot(147, 1, CONFIG, "at 147"));
        assertThat(reopened.get(1).entries()).containsExactlyElementsOf(commands(1, 148, 177));
    }

    @Test
    void newSegmentCutShortDuringRotationFallsBackToTheOlderOne() throws IOException {
        Written written = writeHistory(temp.resolve("source"));
        int all = written.calls().size();
        Map<Integer, PersistentState> before =
                expectedStates(written.calls(), null).get(all);
        Map<Integer, PersistentState> withExtra =
                expectedStates(written.calls(), EXTRA).get(all);
        ShardWrite more = new ShardWrite(99, null, commands(7, 3, 3), null);
        List<List<ShardWrite>> thenMore = new ArrayList<>(written.calls());
        thenMore.add(List.of(EXTRA));
        thenMore.add(List.of(more));
        Map<Integer, PersistentState> withMore = expectedStates(thenMore, null).getLast();
        byte[] image = frameBytes(LogFrames.KIND_IMAGE, written.calls().getLast());

        for (int cut : new int[] {0, 7, LogFrames.HEADER_BYTES, LogFrames.HEADER_BYTES + 9, image.length - 1}) {
            Path dir = Files.createDirectories(temp.resolve("cut-" + cut));
            Files.write(SegmentedRaftLogStore.segmentPath(dir, 1), written.segment());
            Path newer = SegmentedRaftLogStore.segmentPath(dir, 2);
            Files.write(newer, Arrays.copyOf(image, cut));

            assertThat(recovered(dir, ONE_SEGMENT)).as("image cut at %d", cut).isEqualTo(before);
            assertThat(Files.size(newer)).as("image cut at %d", cut).isZero();

            // The next call goes to segment 2 after segment 1's state; both are replayed.
            try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
                persist(store, EXTRA);
            }
            assertThat(segmentNumbers(dir)).containsExactly(1L, 2L);
            assertThat(recovered(dir, ONE_SEGMENT)).as("image cut at %d", cut).isEqualTo(withExtra);

            // A later rotation (every call rotates at 1 byte) replaces both with one image.
            try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, 1)) {
                persist(store, more);
            }
            assertThat(segmentNumbers(dir)).containsExactly(3L);
            assertThat(recovered(dir, 1)).as("image cut at %d", cut).isEqualTo(withMore);
        }
    }

    // ---- closing ----

    @Test
    void closedStoreRefusesPersistAndLoad() {
        Path dir = temp.resolve("log");
        SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT);
        persist(store, EXTRA);
        store.close();

        assertRefused(store, IllegalStateException.class, new ShardWrite(99, null, commands(7, 3, 3), null));
        assertThatThrownBy(() -> store.load(99, BOOTSTRAP).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        store.close(); // a second close is harmless

        assertThat(recovered(dir, ONE_SEGMENT).get(99).entries()).containsExactlyElementsOf(commands(7, 1, 2));
    }

    @Test
    void closeCompletesEveryCallAcceptedBeforeIt() throws Exception {
        Path dir = temp.resolve("log");
        SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT);
        List<CompletableFuture<Void>> stages = new ArrayList<>();
        for (long index = 1; index <= 50; index++) {
            stages.add(store.persist(List.of(new ShardWrite(1, null, commands(1, index, index), null)))
                    .toCompletableFuture());
        }
        store.close();

        for (CompletableFuture<Void> stage : stages) {
            assertThat(stage).isCompleted(); // close waited for the writer: completed, not failed nor pending
        }
        assertThat(recovered(dir, ONE_SEGMENT).get(1).entries()).containsExactlyElementsOf(commands(1, 1, 50));
    }

    // ---- several writes for one shard in one call ----

    @Test
    void laterWriteForAShardMayRelyOnAnEarlierOneInTheSameCall() {
        Path dir = temp.resolve("log");
        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, ONE_SEGMENT)) {
            // 4..5 alone would leave a gap after an empty log; after 1..3 in the same call it fits.
            persist(
                    store,
                    new ShardWrite(1, null, commands(1, 1, 3), new HardState(1, 1)),
                    new ShardWrite(2, null, List.of(), new HardState(1, 2)),
                    new ShardWrite(1, null, commands(1, 4, 5), null));

            assertThat(load(store, 1).entries()).containsExactlyElementsOf(commands(1, 1, 5));
        }
        Map<Integer, PersistentState> reopened = recovered(dir, ONE_SEGMENT);
        assertThat(reopened.get(1).entries()).containsExactlyElementsOf(commands(1, 1, 5));
        assertThat(reopened.get(1).hardState()).isEqualTo(new HardState(1, 1));
        assertThat(reopened.get(2).hardState()).isEqualTo(new HardState(1, 2));
    }

    @Test
    void laterWriteForAShardThatNoLongerFitsAfterAnEarlierOneRefusesTheWholeCall() throws IOException {
        Path dir = temp.resolve("log");
        Map<Integer, PersistentState> before;
        long bytesBefore;
        try (SegmentedRaftLogStore store = openGrowing(dir, ONE_SEGMENT)) {
            persist(store, new ShardWrite(1, null, commands(1, 1, 5), new HardState(1, 1)));
            before = states(store);
            bytesBefore = Files.size(SegmentedRaftLogStore.segmentPath(dir, 1));

            // Each write alone fits the stored log 1..5; but the first truncates it to 1..2, after which 5 leaves a
            // gap.
            assertRefused(
                    store,
                    IllegalStateException.class,
                    new ShardWrite(2, null, commands(1, 1, 1), new HardState(2, 2)),
                    new ShardWrite(1, null, commands(2, 2, 2), new HardState(2, 1)),
                    new ShardWrite(1, null, commands(2, 5, 5), null));
            // Same with a snapshot: after one at 10, entries from 6 fall inside it.
            assertRefused(
                    store,
                    IllegalStateException.class,
                    new ShardWrite(1, snapshot(10, 2, CONFIG, "at 10"), List.of(), null),
                    new ShardWrite(1, null, commands(1, 6, 6), null));

            assertThat(states(store)).isEqualTo(before);
        }
        assertThat(Files.size(SegmentedRaftLogStore.segmentPath(dir, 1)))
                .as("nothing written")
                .isEqualTo(bytesBefore);
        assertThat(recovered(dir, ONE_SEGMENT)).isEqualTo(before);
    }

    // ---- histories ----

    /**
     * Calls over several shards: hard states alone and with entries, a conflicting suffix truncated, snapshots
     * keeping and dropping entries, a snapshot installed beyond the log, and two writes for one shard in one call.
     */
    private static List<List<ShardWrite>> history() {
        return List.of(
                List.of(
                        new ShardWrite(1, null, commands(1, 1, 3), new HardState(1, 1)),
                        new ShardWrite(2, null, commands(1, 1, 2), null)),
                List.of(new ShardWrite(3, null, List.of(), new HardState(2, HardState.NONE))),
                List.of(new ShardWrite(1, null, commands(1, 4, 6), null)),
                List.of(new ShardWrite(2, null, commands(2, 2, 4), new HardState(2, 2))),
                List.of(new ShardWrite(1, snapshot(4, 1, CONFIG, "shard 1 at 4"), commands(1, 7, 7), null)),
                List.of(new ShardWrite(1, null, commands(2, 6, 8), new HardState(2, 1))),
                List.of(
                        new ShardWrite(3, null, commands(2, 1, 2), null),
                        new ShardWrite(1, null, List.of(), new HardState(3, 3))),
                List.of(new ShardWrite(2, snapshot(10, 3, CONFIG, "shard 2 at 10"), commands(3, 11, 12), null)),
                List.of(
                        new ShardWrite(4, null, commands(1, 1, 1), null),
                        new ShardWrite(1, null, commands(3, 9, 9), null),
                        new ShardWrite(1, null, commands(3, 10, 10), new HardState(3, 1))),
                List.of(new ShardWrite(3, null, List.of(), new HardState(4, HardState.NONE))));
    }

    /**
     * Shards 5 and 6 written once, first; then shard 1 grows by three entries a call, with a snapshot every tenth
     * call (the last at 147) and shard 2's hard state now and then.
     */
    private static List<List<ShardWrite>> longHistory() {
        List<List<ShardWrite>> calls = new ArrayList<>();
        calls.add(List.of(
                new ShardWrite(5, null, List.of(), new HardState(3, 2)),
                new ShardWrite(6, null, commands(1, 1, 2), null)));
        for (int i = 1; i < 60; i++) {
            long first = 3L * (i - 1) + 1;
            Snapshot snapshot = i % 10 == 0 ? snapshot(first - 1, 1, CONFIG, "at " + (first - 1)) : null;
            List<ShardWrite> call = new ArrayList<>();
            call.add(new ShardWrite(1, snapshot, commands(1, first, first + 2), null));
            if (i % 7 == 0) {
                call.add(new ShardWrite(2, null, List.of(), new HardState(i, HardState.NONE)));
            }
            calls.add(call);
        }
        return calls;
    }

    /**
     * A history as one store wrote it into one segment.
     *
     * @param ends {@code ends[k]}: the segment's length once call {@code k} (1-based) was acknowledged; {@code
     *     ends[0]} is its length before any call
     * @param segment the segment's bytes after the last call
     */
    private record Written(List<List<ShardWrite>> calls, long[] ends, byte[] segment) {

        /** How many calls have their whole frame within the first {@code length} bytes. */
        int callsWithin(long length) {
            int k = 0;
            while (k < calls.size() && ends[k + 1] <= length) {
                k++;
            }
            return k;
        }
    }

    private static Written writeHistory(Path dir) throws IOException {
        List<List<ShardWrite>> calls = history();
        long[] ends = new long[calls.size() + 1];
        Path segment = SegmentedRaftLogStore.segmentPath(dir, 1);
        try (SegmentedRaftLogStore store = openGrowing(dir, ONE_SEGMENT)) {
            ends[0] = Files.size(segment);
            for (int k = 0; k < calls.size(); k++) {
                persist(store, calls.get(k).toArray(ShardWrite[]::new));
                ends[k + 1] = Files.size(segment); // acknowledged means synced: the frame is in the file
            }
        }
        assertThat(segmentNumbers(dir)).containsExactly(1L);
        assertThat(ends).isSorted().doesNotHaveDuplicates();
        return new Written(calls, ends, Files.readAllBytes(segment));
    }

    /**
     * {@code result.get(k)}: every shard's state after the first {@code k} calls (then {@code extra}, if not null),
     * as the in-memory reference store computes it.
     */
    private static List<Map<Integer, PersistentState>> expectedStates(List<List<ShardWrite>> calls, ShardWrite extra) {
        List<Map<Integer, PersistentState>> result = new ArrayList<>();
        for (int k = 0; k <= calls.size(); k++) {
            MemoryRaftLogStore model = new MemoryRaftLogStore(PersistLimits.DEFAULT);
            calls.subList(0, k).forEach(call -> persist(model, call.toArray(ShardWrite[]::new)));
            if (extra != null) {
                persist(model, extra);
            }
            result.add(states(model));
        }
        return result;
    }

    // ---- helpers ----

    private static Map<Integer, PersistentState> states(RaftLogStore store) {
        Map<Integer, PersistentState> states = new TreeMap<>();
        SHARDS.forEach(shard -> states.put(shard, load(store, shard)));
        return states;
    }

    /** A store whose file grows with each append (no zeros ahead), so its size tells where each frame ends. */
    private static SegmentedRaftLogStore openGrowing(Path dir, long segmentBytesMax) {
        return SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, segmentBytesMax, 0);
    }

    /** What a store opened on {@code dir} gives back; closes it again. */
    private static Map<Integer, PersistentState> recovered(Path dir, long segmentBytesMax) {
        try (SegmentedRaftLogStore store = SegmentedRaftLogStore.open(dir, PersistLimits.DEFAULT, segmentBytesMax)) {
            return states(store);
        }
    }

    private static TreeSet<Long> segmentNumbers(Path dir) {
        try {
            return new TreeSet<>(SegmentedRaftLogStore.segments(dir).keySet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copyOf(Path dir, Path copy) throws IOException {
        Files.createDirectories(copy);
        for (Path segment : SegmentedRaftLogStore.segments(dir).values()) {
            Files.copy(segment, copy.resolve(segment.getFileName()));
        }
        return copy;
    }

    private static byte[] flipped(byte[] bytes, long at) {
        byte[] copy = bytes.clone();
        copy[(int) at] ^= (byte) 0xFF;
        return copy;
    }

    private static byte[] frameBytes(byte kind, List<ShardWrite> writes) {
        var frame = LogFrames.encode(kind, writes);
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return bytes;
    }
}
