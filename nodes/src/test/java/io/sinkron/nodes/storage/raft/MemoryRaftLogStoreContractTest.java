package io.sinkron.nodes.storage.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.PersistentState;
import java.util.List;
import org.junit.jupiter.api.Test;

// Runs the RaftLogStore contract against the in-memory store, and proves that crashCopy() keeps exactly what was
// persisted: a copy taken after a persist sees it, later persists on the original do not leak into the copy.
class MemoryRaftLogStoreContractTest extends RaftLogStoreContractTest {

    @Override
    protected RaftLogStore newStore(PersistLimits limits) {
        return new MemoryRaftLogStore(limits);
    }

    @Test
    void crashCopyKeepsWhatWasPersisted() {
        MemoryRaftLogStore original = new MemoryRaftLogStore(PersistLimits.DEFAULT);
        persist(original, new ShardWrite(1, null, commands(1, 1, 3), new HardState(1, 1)));

        MemoryRaftLogStore restarted = original.crashCopy();
        persist(original, new ShardWrite(1, null, commands(2, 3, 5), new HardState(2, 2)));

        PersistentState recovered = load(restarted, 1);
        assertThat(recovered.entries()).containsExactlyElementsOf(commands(1, 1, 3));
        assertThat(recovered.hardState()).isEqualTo(new HardState(1, 1));
        assertThat(load(original, 1).entries()).hasSize(5);
        persist(restarted, new ShardWrite(1, null, List.of(command(1, 4)), null));
        assertThat(load(restarted, 1).entries()).containsExactlyElementsOf(commands(1, 1, 4));
    }
}
