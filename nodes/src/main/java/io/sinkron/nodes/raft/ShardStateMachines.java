package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.nodes.kv.KvStateMachine;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which state machine each shard runs. For now every shard holds one service, the replicated key-value register
 * ({@link KvStateMachine}); locks, queues and the cache directory join here as further services of the same shard.
 */
@Singleton
public class ShardStateMachines {

    /** A fresh, empty state machine for {@code shard}; the driver restores its snapshot before applying entries. */
    public StateMachine create(int shard) {
        Map<Byte, StateMachine> services = new LinkedHashMap<>();
        services.put(ShardServices.KV, new KvStateMachine());
        return new ShardServices(services);
    }
}
