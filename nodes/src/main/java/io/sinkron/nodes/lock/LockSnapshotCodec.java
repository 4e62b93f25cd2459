package io.sinkron.nodes.lock;

import io.sinkron.nodes.lock.LockEntities.Hold;
import io.sinkron.nodes.lock.LockEntities.LockState;
import io.sinkron.nodes.lock.LockEntities.SessionState;
import io.sinkron.nodes.lock.LockEntities.Waiter;
import java.util.Map;

/**
 * The snapshot layout of the lock state: version, clock, totals, sessions (by id, with the client that opened them),
 * locks (by name) with holders in grant order and waiters in queue order, then the at-most-once table eldest first.
 * Equal states give equal bytes. Derived structures (the sessions' lock sets, the schedules) are rebuilt on restore and
 * every invariant is checked.
 */
final class LockSnapshotCodec {

    /** 2: sessions carry their opener's client id (nothing was persisted under 1). */
    static final int VERSION = 2;

    /** Most UTF-8 bytes of a client id (the {@link LockCommand#CLIENT_ID} pattern allows 128 ASCII characters). */
    private static final int CLIENT_ID_BYTES_MAX = 128;

    /** Structural bound on any count in a snapshot, far above every limit. */
    private static final int COUNT_MAX = 50_000_000;

    /** Largest remembered reply (a deadlock reply with its cycle is the largest). */
    private static final int REPLY_BYTES_MAX = 1 << 20;

    private LockSnapshotCodec() {}

    static byte[] write(LockTable table, ClientTable clients) {
        Wire.Writer out = new Wire.Writer()
                .i32(VERSION)
                .i64(table.clockMs)
                .i64(table.grantsTotal)
                .i64(table.expiriesTotal)
                .i64(table.timeoutsTotal)
                .i64(table.deadlocksTotal)
                .i64(table.searchesAbandonedTotal);
        out.i32(table.sessions.size());
        for (SessionState session : table.sessions.values()) {
            out.i64(session.id)
                    .string(session.opener, CLIENT_ID_BYTES_MAX)
                    .i64(session.ttlMs)
                    .i64(session.deadlineMs);
        }
        out.i32(table.locks.size());
        for (LockState lock : table.locks.values()) {
            out.string(lock.name, LockCommand.NAME_WIRE_BYTES_MAX)
                    .i64(lock.delayUntilMs)
                    .i64(lock.delayMs);
            out.i32(lock.holders.size());
            for (Hold hold : lock.holders.values()) {
                out.i64(hold.session())
                        .u8(hold.mode().code())
                        .i64(hold.token())
                        .i64(hold.sinceMs())
                        .i64(hold.lockDelayMs());
            }
            out.i32(lock.queue.size());
            for (Waiter waiter : lock.queue) {
                out.i64(waiter.session())
                        .u8(waiter.mode().code())
                        .bool(waiter.upgrade())
                        .i64(waiter.sinceMs())
                        .i64(waiter.deadlineMs())
                        .i64(waiter.lockDelayMs())
                        .i64(waiter.order());
            }
        }
        out.i32(clients.size());
        for (Map.Entry<String, ClientTable.Entry> entry : clients.entries()) {
            out.string(entry.getKey(), LockCommand.NAME_WIRE_BYTES_MAX)
                    .i64(entry.getValue().sequence())
                    .bytes(entry.getValue().reply().encode());
        }
        return out.toByteArray();
    }

    /**
     * Fills the empty {@code table} and {@code clients} from {@code data}; {@link IllegalArgumentException} if the
     * bytes are malformed, {@link IllegalStateException} if they decode to a state that breaks an invariant.
     */
    static void read(byte[] data, LockTable table, ClientTable clients) {
        Wire.Reader in = new Wire.Reader(data);
        int version = in.i32();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown lock snapshot version " + version);
        }
        table.clockMs = in.i64();
        table.grantsTotal = in.i64();
        table.expiriesTotal = in.i64();
        table.timeoutsTotal = in.i64();
        table.deadlocksTotal = in.i64();
        table.searchesAbandonedTotal = in.i64();
        int sessionCount = in.count(COUNT_MAX);
        for (int i = 0; i < sessionCount; i++) {
            SessionState session = new SessionState(in.i64(), in.string(CLIENT_ID_BYTES_MAX), in.i64(), in.i64());
            if (table.sessions.put(session.id, session) != null) {
                throw new IllegalArgumentException("session " + session.id + " twice");
            }
        }
        int lockCount = in.count(COUNT_MAX);
        for (int i = 0; i < lockCount; i++) {
            LockState lock = readLock(in);
            if (table.locks.put(lock.name, lock) != null) {
                throw new IllegalArgumentException("lock " + lock.name + " twice");
            }
        }
        int clientCount = in.count(COUNT_MAX);
        for (int i = 0; i < clientCount; i++) {
            String clientId = in.string(LockCommand.NAME_WIRE_BYTES_MAX);
            long sequence = in.i64();
            clients.remember(clientId, sequence, LockReply.decode(in.bytes(REPLY_BYTES_MAX)));
        }
        in.end();
        table.reindex();
    }

    private static LockState readLock(Wire.Reader in) {
        LockState lock = new LockState(in.string(LockCommand.NAME_WIRE_BYTES_MAX));
        lock.delayUntilMs = in.i64();
        lock.delayMs = in.i64();
        int holderCount = in.count(COUNT_MAX);
        for (int i = 0; i < holderCount; i++) {
            Hold hold = new Hold(in.i64(), LockMode.ofCode(in.u8()), in.i64(), in.i64(), in.i64());
            if (lock.holders.put(hold.session(), hold) != null) {
                throw new IllegalArgumentException("holder " + hold.session() + " twice on " + lock.name);
            }
        }
        int waiterCount = in.count(COUNT_MAX);
        for (int i = 0; i < waiterCount; i++) {
            lock.queue.add(new Waiter(
                    lock.name, in.i64(), LockMode.ofCode(in.u8()), in.bool(), in.i64(), in.i64(), in.i64(), in.i64()));
        }
        return lock;
    }
}
