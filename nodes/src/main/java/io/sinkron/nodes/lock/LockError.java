package io.sinkron.nodes.lock;

/**
 * Why a lock command was refused without effect (besides the expected outcomes of an acquire, see {@link
 * LockReply.Refused} and {@link LockReply.Deadlock}). Each code has a stable wire byte; the HTTP edge maps them to
 * problem types.
 */
public enum LockError {
    /** The command bytes could not be decoded (unknown version or op, truncated, trailing bytes, bad text). */
    MALFORMED_COMMAND((byte) 1),
    /** A field is out of its documented range (name pattern, ttl, wait, lock-delay). */
    INVALID_ARGUMENT((byte) 2),
    /** The client's sequence is older than its latest applied one; its reply is no longer known. */
    STALE_SEQUENCE((byte) 3),
    /** No such live session: never opened, closed or expired. */
    SESSION_NOT_FOUND((byte) 4),
    /** The session does not hold the lock. */
    NOT_HOLDER((byte) 5),
    /** The session holds the lock but under another fencing token (a stale release). */
    WRONG_TOKEN((byte) 6),
    /** The session is not waiting for the lock. */
    NOT_WAITING((byte) 7),
    /** The session already waits for the lock in the other mode. */
    ALREADY_WAITING((byte) 8),
    /** {@link LockLimits#sessionsMax()} sessions are open. */
    SESSIONS_FULL((byte) 9),
    /** {@link LockLimits#locksMax()} locks exist. */
    LOCKS_FULL((byte) 10),
    /** {@link LockLimits#waitersPerLockMax()} requests already wait for the lock. */
    WAITERS_FULL((byte) 11),
    /** The session already holds or waits for {@link LockLimits#locksPerSessionMax()} locks. */
    SESSION_LOCKS_FULL((byte) 12),
    /** OpenSession named the id of a live session opened by another client or with another ttl. */
    SESSION_EXISTS((byte) 13);

    private final byte code;

    LockError(byte code) {
        this.code = code;
    }

    byte code() {
        return code;
    }

    static LockError ofCode(byte code) {
        for (LockError error : values()) {
            if (error.code == code) {
                return error;
            }
        }
        throw new IllegalArgumentException("unknown lock error " + code);
    }
}
