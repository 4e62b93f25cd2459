package io.sinkron.api.client;

import java.util.ArrayDeque;

/**
 * The idempotency identities one client uses for its mutating requests. The cluster remembers, per
 * {@code Sinkron-Client-Id}, only the latest sequence and its answer (Raft dissertation §6.3), and refuses an older
 * sequence; so two requests in flight under one id could overtake each other, and a retry of the earlier one would be
 * refused as stale. Each call therefore borrows a lane — the client id alone for lane 0, {@code <id>.<lane>} for the
 * others — for its whole life, retries included, so that under every id at most one request is in flight and its
 * sequences grow. A client used from one thread at a time only ever uses its bare id. Thread-safe.
 */
final class Lanes {

    /** At most this many mutating calls of one client may be in flight at once. */
    static final int LANES_MAX = 1024;

    private final String clientId;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private int created;

    Lanes(String clientId) {
        this.clientId = Names.requireClientId(clientId);
    }

    /**
     * A lane for one call, the most recently freed first; return it with {@link #release}.
     *
     * @throws IllegalStateException if {@link #LANES_MAX} calls are in flight already
     */
    synchronized String acquire() {
        Integer lane = free.pollFirst();
        if (lane == null) {
            if (created == LANES_MAX) {
                throw new IllegalStateException(
                        "more than " + LANES_MAX + " mutating calls in flight on one client " + clientId);
            }
            lane = created++;
        }
        return lane == 0 ? clientId : clientId + "." + lane;
    }

    /** Returns a lane; the call that used it has finished, retries included. */
    synchronized void release(String laneId) {
        int lane = laneId.equals(clientId) ? 0 : Integer.parseInt(laneId.substring(clientId.length() + 1));
        free.addFirst(lane);
    }
}
