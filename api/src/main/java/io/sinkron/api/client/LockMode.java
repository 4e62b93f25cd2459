package io.sinkron.api.client;

/** How a lock is held: by one session alone, or by any number of sessions together. */
public enum LockMode {
    /** One holder at a time, never together with a shared holder. */
    EXCLUSIVE("exclusive"),
    /** Any number of holders together, never together with an exclusive holder. */
    SHARED("shared");

    private final String wire;

    LockMode(String wire) {
        this.wire = wire;
    }

    /** The name of this mode in request and response bodies, e.g. {@code exclusive}. */
    public String wire() {
        return wire;
    }

    /**
     * The mode with this wire name.
     *
     * @throws IllegalArgumentException if no mode has this name
     */
    public static LockMode fromWire(String wire) {
        for (LockMode mode : values()) {
            if (mode.wire.equals(wire)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown lock mode '" + wire + "'");
    }
}
