package io.sinkron.nodes.membership;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sinkron.api.cluster.MemberView;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.Peer;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The static membership and what this node knows about each member's liveness. Thread-safe: probes report from
 * event-loop threads, HTTP requests read from any thread. This node itself always counts as alive.
 */
@Singleton
public class Membership {

    private final NodeSettings settings;
    private final Clock clock;
    private final Map<String, MemberState> states = new ConcurrentHashMap<>();

    Membership(NodeSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.clock = Clock.systemUTC();
        for (Peer peer : settings.peers()) {
            states.put(peer.id(), MemberState.unknown(peer));
            Gauge.builder("sinkron.member.alive", () -> alive(peer.id()) ? 1 : 0)
                    .description("1 when the member answered its latest liveness probe, else 0 (self is always 1)")
                    .tag("peer", peer.id())
                    .register(registry);
        }
    }

    /** The members in configuration order, as seen now. */
    public List<MemberView> view() {
        long now = clock.millis();
        return settings.peers().stream()
                .map(peer -> {
                    if (peer.id().equals(settings.selfId())) {
                        return new MemberView(peer.id(), peer.url().toString(), true, now);
                    }
                    MemberState state = states.get(peer.id());
                    Long lastSeen = state.lastSeenMillis() < 0 ? null : state.lastSeenMillis();
                    return new MemberView(peer.id(), peer.url().toString(), state.alive(), lastSeen);
                })
                .toList();
    }

    /** Whether the member answered its latest probe (always true for this node). */
    public boolean alive(String peerId) {
        return peerId.equals(settings.selfId()) || states.get(peerId).alive();
    }

    void reportAlive(Peer peer) {
        long now = clock.millis();
        states.compute(peer.id(), (id, state) -> state.seen(now));
    }

    void reportMissed(Peer peer) {
        states.compute(peer.id(), (id, state) -> state.missed());
    }
}
