package io.sinkron.nodes.lock;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A command of the replicated lock service, as it travels in the Raft log. Every command carries {@code nowMs}, the
 * proposing leader's clock, which is the only time the state machine knows (DESIGN.md §2, log time). Client commands
 * also carry {@code clientId} + {@code sequence} for at-most-once application (Raft dissertation §6.3); an empty
 * client id opts out.
 *
 * <p>The records check only what the layout needs (non-null, well-formed and bounded text, non-negative sequence and
 * clock); whether a name, ttl or wait is acceptable is the state machine's decision, answered with {@link
 * LockError#INVALID_ARGUMENT} like any other refusal.
 *
 * <p>Layout: version byte ({@link #FORMAT_VERSION}), op byte, then for client commands the client id (u16 length +
 * UTF-8), sequence (i64) and nowMs (i64), for Tick and LeaderChanged only nowMs, then the op's fields (i64 numbers,
 * u16-length UTF-8 names, a mode byte; {@link AbortWait}'s cycle as an i32 count and (i64 session, name) steps).
 * Decoding rejects unknown versions and ops, truncation and trailing bytes.
 */
public sealed interface LockCommand {

    /** Lock names (DESIGN.md §7). */
    Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,256}");

    /** Client ids: printable, bounded, so the at-most-once table's memory is bounded per entry. */
    Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{0,128}");

    /** Whether {@code name} matches {@link #NAME}, without a regular-expression matcher (this runs on every apply). */
    static boolean isName(String name) {
        return name.length() >= 1 && name.length() <= 256 && allOf(name, true);
    }

    /** Whether {@code clientId} matches {@link #CLIENT_ID}, without a matcher. */
    static boolean isClientId(String clientId) {
        return clientId.length() <= 128 && allOf(clientId, false);
    }

    private static boolean allOf(String text, boolean slash) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == ':'
                    || c == '-'
                    || (slash && c == '/');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Most UTF-8 bytes of a name in a command; a longer one is malformed, a shorter bad one merely invalid. */
    int NAME_WIRE_BYTES_MAX = 1024;

    /** Most steps of an {@link AbortWait}'s cycle: the product's {@link LockLimits#cycleStepsMax()}. */
    int CYCLE_STEPS_MAX = LockLimits.DEFAULTS.cycleStepsMax();

    /** Largest clock value accepted (about year 144,000), so deadlines never overflow. */
    long NOW_MS_MAX = 1L << 52;

    /**
     * Version byte of the layout above. 2: {@link OpenSession} carries the session id (version 1 took the entry's log
     * index; nothing was persisted under it).
     */
    byte FORMAT_VERSION = 2;

    /** The proposing leader's clock in milliseconds. */
    long nowMs();

    /** The command's log bytes. */
    default byte[] encode() {
        return LockCommandCodec.encode(this);
    }

    /** Reads a command; {@link IllegalArgumentException} for anything malformed. */
    static LockCommand decode(byte[] bytes) {
        return LockCommandCodec.decode(bytes);
    }

    /** A command a client asked for, identified for at-most-once application. */
    sealed interface FromClient extends LockCommand {
        String clientId();

        long sequence();
    }

    /**
     * Opens session {@code session}, which lives {@code ttlMs} past its last keep-alive. The id is chosen by the node:
     * a session spans every shard, so the node opens it on each shard's state machine under the same id. It must be
     * positive and not the id of a live session, unless that session was opened by the same client with the same ttl
     * (then the open is an idempotent success); the id of a closed or expired session may be used again.
     */
    record OpenSession(String clientId, long sequence, long nowMs, long session, long ttlMs) implements FromClient {
        public OpenSession {
            checkClient(clientId, sequence, nowMs);
        }
    }

    /** Pushes a live session's deadline to now + its ttl. */
    record KeepAlive(String clientId, long sequence, long nowMs, long session) implements FromClient {
        public KeepAlive {
            checkClient(clientId, sequence, nowMs);
        }
    }

    /** Ends a session: its locks are released (no lock-delay) and its waits cancelled. */
    record CloseSession(String clientId, long sequence, long nowMs, long session) implements FromClient {
        public CloseSession {
            checkClient(clientId, sequence, nowMs);
        }
    }

    /**
     * Asks for {@code name} in {@code mode}, waiting up to {@code waitMs} (0: try-lock). {@code lockDelayMs} is how
     * long the lock stays ungrantable if this hold is lost without a release (session expiry, force-release).
     */
    record Acquire(
            String clientId,
            long sequence,
            long nowMs,
            long session,
            String name,
            LockMode mode,
            long waitMs,
            long lockDelayMs)
            implements FromClient {
        public Acquire {
            checkClient(clientId, sequence, nowMs);
            Wire.checkText(name, NAME_WIRE_BYTES_MAX, "name");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** Gives up a hold; {@code token} must be the hold's current fencing token. */
    record Release(String clientId, long sequence, long nowMs, long session, String name, long token)
            implements FromClient {
        public Release {
            checkClient(clientId, sequence, nowMs);
            Wire.checkText(name, NAME_WIRE_BYTES_MAX, "name");
        }
    }

    /** Withdraws the session's pending request for {@code name}. */
    record CancelWait(String clientId, long sequence, long nowMs, long session, String name) implements FromClient {
        public CancelWait {
            checkClient(clientId, sequence, nowMs);
            Wire.checkText(name, NAME_WIRE_BYTES_MAX, "name");
        }
    }

    /**
     * Sent by the node-side detector of deadlocks that span shards: withdraws the session's pending request for
     * {@code name} as {@link CancelWait} does, but the waiter is told it was part of wait-for cycle {@code cycle}
     * (reply {@link LockReply.Deadlock}, event {@link LockEvent.Deadlock}). The cycle is at most {@link
     * LockLimits#DEFAULTS}' {@link LockLimits#cycleStepsMax()} steps, each lock name bounded like {@code name}; it is
     * reported as given (the detector's rotation), not checked against this shard's state.
     */
    record AbortWait(String clientId, long sequence, long nowMs, long session, String name, List<CycleStep> cycle)
            implements FromClient {
        public AbortWait {
            checkClient(clientId, sequence, nowMs);
            Wire.checkText(name, NAME_WIRE_BYTES_MAX, "name");
            cycle = List.copyOf(cycle);
            if (cycle.size() > CYCLE_STEPS_MAX) {
                throw new IllegalArgumentException(
                        "cycle has " + cycle.size() + " steps, more than " + CYCLE_STEPS_MAX);
            }
            for (CycleStep step : cycle) {
                Wire.checkText(step.lock(), NAME_WIRE_BYTES_MAX, "cycle lock");
            }
        }
    }

    /** Administrative: takes {@code name} from all its holders, who are told they lost it. */
    record ForceRelease(String clientId, long sequence, long nowMs, String name) implements FromClient {
        public ForceRelease {
            checkClient(clientId, sequence, nowMs);
            Wire.checkText(name, NAME_WIRE_BYTES_MAX, "name");
        }
    }

    /** Proposed by the leader periodically: lets log time pass, so what is due expires and lock-delays end. */
    record Tick(long nowMs) implements LockCommand {
        public Tick {
            checkNow(nowMs);
        }
    }

    /**
     * Proposed by every new leader before anything else: extends each live session to at least now + its ttl, since
     * keep-alives sent to the old leader may have been lost (etcd renews leases on leader change; Chubby's grace
     * period).
     */
    record LeaderChanged(long nowMs) implements LockCommand {
        public LeaderChanged {
            checkNow(nowMs);
        }
    }

    private static void checkClient(String clientId, long sequence, long nowMs) {
        Objects.requireNonNull(clientId, "clientId");
        if (!isClientId(clientId)) {
            throw new IllegalArgumentException("client id must match " + CLIENT_ID);
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative: " + sequence);
        }
        checkNow(nowMs);
    }

    private static void checkNow(long nowMs) {
        if (nowMs < 0 || nowMs > NOW_MS_MAX) {
            throw new IllegalArgumentException("nowMs outside [0, " + NOW_MS_MAX + "]: " + nowMs);
        }
    }
}
