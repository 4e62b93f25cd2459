package io.sinkron.nodes.lock;

/** How a session holds (or asks for) a lock. Exclusive conflicts with everything; shared only with exclusive. */
public enum LockMode {
    /** One holder at a time: a writer. */
    EXCLUSIVE((byte) 1),
    /** Any number of holders at a time, none exclusive: readers. */
    SHARED((byte) 2);

    private final byte code;

    LockMode(byte code) {
        this.code = code;
    }

    /** The mode's wire code; never changes once published. */
    byte code() {
        return code;
    }

    /** Whether a request in this mode must wait for a holder (or earlier waiter) in {@code other}. */
    boolean conflictsWith(LockMode other) {
        return this == EXCLUSIVE || other == EXCLUSIVE;
    }

    static LockMode ofCode(byte code) {
        for (LockMode mode : values()) {
            if (mode.code == code) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown lock mode " + code);
    }
}
