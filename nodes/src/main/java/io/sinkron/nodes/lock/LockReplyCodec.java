package io.sinkron.nodes.lock;

import io.sinkron.nodes.lock.LockReply.Deadlock;
import io.sinkron.nodes.lock.LockReply.Error;
import io.sinkron.nodes.lock.LockReply.ForceReleased;
import io.sinkron.nodes.lock.LockReply.Granted;
import io.sinkron.nodes.lock.LockReply.Ok;
import io.sinkron.nodes.lock.LockReply.Refused;
import io.sinkron.nodes.lock.LockReply.Released;
import io.sinkron.nodes.lock.LockReply.SessionClosed;
import io.sinkron.nodes.lock.LockReply.SessionKept;
import io.sinkron.nodes.lock.LockReply.SessionOpened;
import io.sinkron.nodes.lock.LockReply.WaitCancelled;
import io.sinkron.nodes.lock.LockReply.Waiting;
import java.util.ArrayList;
import java.util.List;

/** The byte layout of {@link LockReply}; kind codes never change meaning once published. */
final class LockReplyCodec {

    /** Most steps a decoded cycle may have; far above {@link LockLimits#cycleStepsMax()} of any version. */
    static final int CYCLE_WIRE_STEPS_MAX = 1024;

    private static final byte OK = 1;
    private static final byte SESSION_OPENED = 2;
    private static final byte SESSION_KEPT = 3;
    private static final byte SESSION_CLOSED = 4;
    private static final byte GRANTED = 5;
    private static final byte WAITING = 6;
    private static final byte REFUSED = 7;
    private static final byte DEADLOCK = 8;
    private static final byte RELEASED = 9;
    private static final byte WAIT_CANCELLED = 10;
    private static final byte FORCE_RELEASED = 11;
    private static final byte ERROR = 12;
    /** {@link Waiting} with the index of the entry that answered it; {@link #WAITING} is read as index 0. */
    private static final byte WAITING_SINCE = 13;

    private LockReplyCodec() {}

    static byte[] encode(LockReply reply) {
        Wire.Writer out = new Wire.Writer().u8(LockReply.FORMAT_VERSION);
        switch (reply) {
            case Ok r -> out.u8(OK);
            case SessionOpened r ->
                out.u8(SESSION_OPENED).i64(r.session()).i64(r.ttlMs()).i64(r.deadlineMs());
            case SessionKept r ->
                out.u8(SESSION_KEPT).i64(r.session()).i64(r.ttlMs()).i64(r.deadlineMs());
            case SessionClosed r ->
                out.u8(SESSION_CLOSED).i64(r.session()).i32(r.released()).i32(r.cancelled());
            case Granted r -> out.u8(GRANTED).i64(r.token()).u8(r.mode().code());
            case Waiting r -> out.u8(WAITING_SINCE).i32(r.position()).i64(r.index());
            case Refused r -> out.u8(REFUSED).u8(r.reason().ordinal());
            case Deadlock r -> {
                out.u8(DEADLOCK).bool(r.truncated()).i32(r.cycle().size());
                for (CycleStep step : r.cycle()) {
                    out.i64(step.session()).string(step.lock(), LockCommand.NAME_WIRE_BYTES_MAX);
                }
            }
            case Released r -> out.u8(RELEASED).i64(r.token());
            case WaitCancelled r -> out.u8(WAIT_CANCELLED);
            case ForceReleased r -> out.u8(FORCE_RELEASED).i32(r.holders());
            case Error r -> out.u8(ERROR).u8(r.error().code()).string(r.detail(), LockReply.DETAIL_BYTES_MAX);
        }
        return out.toByteArray();
    }

    static LockReply decode(byte[] bytes) {
        Wire.Reader in = new Wire.Reader(bytes);
        byte version = in.u8();
        if (version != LockReply.FORMAT_VERSION) {
            throw new IllegalArgumentException("unknown lock reply version " + version);
        }
        byte kind = in.u8();
        LockReply reply =
                switch (kind) {
                    case OK -> new Ok();
                    case SESSION_OPENED -> new SessionOpened(in.i64(), in.i64(), in.i64());
                    case SESSION_KEPT -> new SessionKept(in.i64(), in.i64(), in.i64());
                    case SESSION_CLOSED -> new SessionClosed(in.i64(), in.i32(), in.i32());
                    case GRANTED -> new Granted(in.i64(), LockMode.ofCode(in.u8()));
                    case WAITING -> new Waiting(in.i32(), 0);
                    case WAITING_SINCE -> new Waiting(in.i32(), in.i64());
                    case REFUSED -> new Refused(reason(in.u8()));
                    case DEADLOCK -> decodeDeadlock(in);
                    case RELEASED -> new Released(in.i64());
                    case WAIT_CANCELLED -> new WaitCancelled();
                    case FORCE_RELEASED -> new ForceReleased(in.i32());
                    case ERROR -> new Error(LockError.ofCode(in.u8()), in.string(LockReply.DETAIL_BYTES_MAX));
                    default -> throw new IllegalArgumentException("unknown lock reply kind " + kind);
                };
        in.end();
        return reply;
    }

    private static Deadlock decodeDeadlock(Wire.Reader in) {
        boolean truncated = in.bool();
        int count = in.count(CYCLE_WIRE_STEPS_MAX);
        List<CycleStep> cycle = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            cycle.add(new CycleStep(in.i64(), in.string(LockCommand.NAME_WIRE_BYTES_MAX)));
        }
        return new Deadlock(cycle, truncated);
    }

    private static Refused.Reason reason(byte code) {
        Refused.Reason[] reasons = Refused.Reason.values();
        if (code < 0 || code >= reasons.length) {
            throw new IllegalArgumentException("unknown refusal reason " + code);
        }
        return reasons[code];
    }
}
