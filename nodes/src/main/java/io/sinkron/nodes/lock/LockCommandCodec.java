package io.sinkron.nodes.lock;

import io.sinkron.nodes.lock.LockCommand.AbortWait;
import io.sinkron.nodes.lock.LockCommand.Acquire;
import io.sinkron.nodes.lock.LockCommand.CancelWait;
import io.sinkron.nodes.lock.LockCommand.CloseSession;
import io.sinkron.nodes.lock.LockCommand.ForceRelease;
import io.sinkron.nodes.lock.LockCommand.FromClient;
import io.sinkron.nodes.lock.LockCommand.KeepAlive;
import io.sinkron.nodes.lock.LockCommand.LeaderChanged;
import io.sinkron.nodes.lock.LockCommand.OpenSession;
import io.sinkron.nodes.lock.LockCommand.Release;
import io.sinkron.nodes.lock.LockCommand.Tick;
import java.util.ArrayList;
import java.util.List;

/** The byte layout of {@link LockCommand}; op codes never change meaning once published. */
final class LockCommandCodec {

    static final byte OP_OPEN_SESSION = 1;
    static final byte OP_KEEP_ALIVE = 2;
    static final byte OP_CLOSE_SESSION = 3;
    static final byte OP_ACQUIRE = 4;
    static final byte OP_RELEASE = 5;
    static final byte OP_CANCEL_WAIT = 6;
    static final byte OP_FORCE_RELEASE = 7;
    static final byte OP_TICK = 8;
    static final byte OP_LEADER_CHANGED = 9;
    static final byte OP_ABORT_WAIT = 10;

    private static final int CLIENT_ID_BYTES_MAX = 128;

    private LockCommandCodec() {}

    static byte[] encode(LockCommand command) {
        Wire.Writer out = new Wire.Writer().u8(LockCommand.FORMAT_VERSION).u8(op(command));
        if (command instanceof FromClient client) {
            out.string(client.clientId(), CLIENT_ID_BYTES_MAX).i64(client.sequence());
        }
        out.i64(command.nowMs());
        switch (command) {
            case OpenSession c -> out.i64(c.session()).i64(c.ttlMs());
            case KeepAlive c -> out.i64(c.session());
            case CloseSession c -> out.i64(c.session());
            case Acquire c ->
                out.i64(c.session())
                        .string(c.name(), LockCommand.NAME_WIRE_BYTES_MAX)
                        .u8(c.mode().code())
                        .i64(c.waitMs())
                        .i64(c.lockDelayMs());
            case Release c ->
                out.i64(c.session())
                        .string(c.name(), LockCommand.NAME_WIRE_BYTES_MAX)
                        .i64(c.token());
            case CancelWait c -> out.i64(c.session()).string(c.name(), LockCommand.NAME_WIRE_BYTES_MAX);
            case ForceRelease c -> out.string(c.name(), LockCommand.NAME_WIRE_BYTES_MAX);
            case Tick c -> {}
            case LeaderChanged c -> {}
            case AbortWait c -> {
                out.i64(c.session())
                        .string(c.name(), LockCommand.NAME_WIRE_BYTES_MAX)
                        .i32(c.cycle().size());
                for (CycleStep step : c.cycle()) {
                    out.i64(step.session()).string(step.lock(), LockCommand.NAME_WIRE_BYTES_MAX);
                }
            }
        }
        return out.toByteArray();
    }

    private static byte op(LockCommand command) {
        return switch (command) {
            case OpenSession c -> OP_OPEN_SESSION;
            case KeepAlive c -> OP_KEEP_ALIVE;
            case CloseSession c -> OP_CLOSE_SESSION;
            case Acquire c -> OP_ACQUIRE;
            case Release c -> OP_RELEASE;
            case CancelWait c -> OP_CANCEL_WAIT;
            case ForceRelease c -> OP_FORCE_RELEASE;
            case Tick c -> OP_TICK;
            case LeaderChanged c -> OP_LEADER_CHANGED;
            case AbortWait c -> OP_ABORT_WAIT;
        };
    }

    static LockCommand decode(byte[] bytes) {
        Wire.Reader in = new Wire.Reader(bytes);
        byte version = in.u8();
        if (version != LockCommand.FORMAT_VERSION) {
            throw new IllegalArgumentException("unknown lock command version " + version);
        }
        byte op = in.u8();
        if (op < OP_OPEN_SESSION || op > OP_ABORT_WAIT) {
            throw new IllegalArgumentException("unknown lock command op " + op);
        }
        LockCommand command = op == OP_TICK || op == OP_LEADER_CHANGED ? decodeLeader(op, in) : decodeClient(op, in);
        in.end();
        return command;
    }

    private static LockCommand decodeLeader(byte op, Wire.Reader in) {
        long nowMs = in.i64();
        return op == OP_TICK ? new Tick(nowMs) : new LeaderChanged(nowMs);
    }

    private static LockCommand decodeClient(byte op, Wire.Reader in) {
        String client = in.string(CLIENT_ID_BYTES_MAX);
        long sequence = in.i64();
        long nowMs = in.i64();
        int nameMax = LockCommand.NAME_WIRE_BYTES_MAX;
        return switch (op) {
            case OP_OPEN_SESSION -> new OpenSession(client, sequence, nowMs, in.i64(), in.i64());
            case OP_KEEP_ALIVE -> new KeepAlive(client, sequence, nowMs, in.i64());
            case OP_CLOSE_SESSION -> new CloseSession(client, sequence, nowMs, in.i64());
            case OP_ACQUIRE ->
                new Acquire(
                        client,
                        sequence,
                        nowMs,
                        in.i64(),
                        in.string(nameMax),
                        LockMode.ofCode(in.u8()),
                        in.i64(),
                        in.i64());
            case OP_RELEASE -> new Release(client, sequence, nowMs, in.i64(), in.string(nameMax), in.i64());
            case OP_CANCEL_WAIT -> new CancelWait(client, sequence, nowMs, in.i64(), in.string(nameMax));
            case OP_FORCE_RELEASE -> new ForceRelease(client, sequence, nowMs, in.string(nameMax));
            case OP_ABORT_WAIT -> new AbortWait(client, sequence, nowMs, in.i64(), in.string(nameMax), cycle(in));
            default -> throw new IllegalArgumentException("unknown lock command op " + op);
        };
    }

    /** An {@link AbortWait} cycle: the count is checked before anything is allocated. */
    private static List<CycleStep> cycle(Wire.Reader in) {
        int count = in.count(LockCommand.CYCLE_STEPS_MAX);
        List<CycleStep> cycle = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            cycle.add(new CycleStep(in.i64(), in.string(LockCommand.NAME_WIRE_BYTES_MAX)));
        }
        return cycle;
    }
}
