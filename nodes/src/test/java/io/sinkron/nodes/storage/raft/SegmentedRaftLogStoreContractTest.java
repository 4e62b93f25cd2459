package io.sinkron.nodes.storage.raft;

import io.sinkron.consensus.raft.PersistentState;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

// Runs the RaftLogStore contract against the segmented file store twice: as it is, and through a wrapper that closes
// and reopens the store from its files before every load, so every assertion of the suite is also an assertion about
// what recovery rebuilds from disk. Segments are kept tiny (512 bytes) so the suite also crosses many rotations, each
// starting with an image of every shard and deleting the older segments.
class SegmentedRaftLogStoreContractTest {

    static final long SEGMENT_BYTES = 512;

    static Path newDirectory() {
        try {
            return Files.createTempDirectory("sinkron-raft-log-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path directory) {
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The contract on stores in fresh directories, deleted after each test. */
    abstract static class InDirectories extends RaftLogStoreContractTest {

        private final List<Path> directories = new java.util.ArrayList<>();

        Path directory() {
            Path directory = newDirectory();
            directories.add(directory);
            return directory;
        }

        @AfterEach
        void deleteDirectories() {
            directories.forEach(SegmentedRaftLogStoreContractTest::deleteTree);
        }
    }

    @Nested
    class InMemoryView extends InDirectories {

        @Override
        protected RaftLogStore newStore(PersistLimits limits) {
            return SegmentedRaftLogStore.open(directory(), limits, SEGMENT_BYTES);
        }
    }

    @Nested
    class ReopenedBeforeEveryLoad extends InDirectories {

        @Override
        protected RaftLogStore newStore(PersistLimits limits) {
            return new Reopening(directory(), limits);
        }
    }

    /** Persists through an open store; closes it and opens a new one on the same files before each load. */
    static final class Reopening implements RaftLogStore {

        private final Path directory;
        private final PersistLimits limits;
        private SegmentedRaftLogStore current;

        Reopening(Path directory, PersistLimits limits) {
            this.directory = directory;
            this.limits = limits;
            this.current = SegmentedRaftLogStore.open(directory, limits, SEGMENT_BYTES);
        }

        @Override
        public synchronized CompletionStage<PersistentState> load(int shard, SnapshotMeta bootstrap) {
            current.close();
            current = SegmentedRaftLogStore.open(directory, limits, SEGMENT_BYTES);
            return current.load(shard, bootstrap);
        }

        @Override
        public synchronized CompletionStage<Void> persist(List<ShardWrite> writes) {
            return current.persist(writes);
        }

        @Override
        public synchronized void close() {
            current.close();
        }
    }
}
