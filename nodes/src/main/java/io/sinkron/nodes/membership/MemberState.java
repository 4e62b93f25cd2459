package io.sinkron.nodes.membership;

import io.sinkron.nodes.config.Peer;

/**
 * What this node last learnt about one member. Immutable; the prober replaces it after each probe.
 *
 * @param peer the member
 * @param alive whether its most recent probe succeeded
 * @param lastSeenMillis epoch milliseconds of its last successful probe, or {@code -1} if none succeeded yet
 */
record MemberState(Peer peer, boolean alive, long lastSeenMillis) {

    static MemberState unknown(Peer peer) {
        return new MemberState(peer, false, -1);
    }

    MemberState seen(long nowMillis) {
        return new MemberState(peer, true, nowMillis);
    }

    MemberState missed() {
        return new MemberState(peer, false, lastSeenMillis);
    }
}
