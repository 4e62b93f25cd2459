package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.StateMachine;
import io.sinkron.nodes.kv.KvStateMachine;
import io.sinkron.nodes.lock.LockStateMachine;
import io.sinkron.nodes.locks.LockEvents;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which state machine each shard runs: the replicated key-value register ({@link KvStateMachine}) and the lock
 * service ({@link LockStateMachine}) side by side in one {@link ShardServices}; queues and the cache directory join
 * here. Also the shard hooks: lock events leave through {@link LockEvents}, and leaders propose the lock service's
 * clock ticks and new-term announcements.
 */
@Singleton
public class ShardStateMachines implements ShardHooks {

    private final LockEvents lockEvents;

    ShardStateMachines(LockEvents lockEvents) {
        this.lockEvents = lockEvents;
    }

    /** A fresh, empty state machine for {@code shard}; the driver restores its snapshot before applying entries. */
    public StateMachine create(int shard) {
        Map<Byte, StateMachine> services = new LinkedHashMap<>();
        services.put(ShardServices.KV, new KvStateMachine());
        services.put(ShardServices.LOCKS, new LockStateMachine());
        return new ShardServices(services);
    }

    @Override
    public void afterApply(int shard, StateMachine machine) {
        lockEvents.applied(locks(machine));
    }

    @Override
    public List<byte[]> leaderDuties(int shard, StateMachine machine, boolean newTerm, long nowMs) {
        return lockEvents.leaderDuties(shard, locks(machine), newTerm, nowMs).stream()
                .map(command -> ShardServices.command(ShardServices.LOCKS, command))
                .toList();
    }

    /** The lock service of a shard's state machine. */
    public static LockStateMachine locks(StateMachine machine) {
        return (LockStateMachine) ((ShardServices) machine).service(ShardServices.LOCKS);
    }
}
