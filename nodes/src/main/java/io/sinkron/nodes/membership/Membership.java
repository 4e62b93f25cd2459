package io.sinkron.nodes.membership;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sinkron.api.cluster.MemberView;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.Peer;
import io.sinkron.nodes.failure.PhiAccrualDetector;
import io.sinkron.nodes.failure.PhiConfig;
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
    // Fed by every Raft frame a peer sends (heartbeats included); each detector is guarded by its own monitor.
    private final Map<String, PhiAccrualDetector> detectors = new ConcurrentHashMap<>();

    Membership(NodeSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.clock = Clock.systemUTC();
        for (Peer peer : settings.peers()) {
            states.put(peer.id(), MemberState.unknown(peer));
            Gauge.builder("sinkron.member.alive", () -> alive(peer.id()) ? 1 : 0)
                    .description("1 when the member answered its latest liveness probe, else 0 (self is always 1)")
                    .tag("peer", peer.id())
                    .register(registry);
            if (!peer.id().equals(settings.selfId())) {
                detectors.put(peer.id(), new PhiAccrualDetector(PhiConfig.DEFAULT));
                Gauge.builder("sinkron.member.phi", () -> phi(peer.id()))
                        .description("Phi-accrual suspicion of the member, fed by its Raft messages")
                        .tag("peer", peer.id())
                        .register(registry);
            }
        }
    }

    /** The members in configuration order, as seen now. */
    public List<MemberView> view() {
        long now = clock.millis();
        return settings.peers().stream()
                .map(peer -> {
                    if (peer.id().equals(settings.selfId())) {
                        return new MemberView(peer.id(), peer.url().toString(), true, now, 0.0);
                    }
                    MemberState state = states.get(peer.id());
                    Long lastSeen = state.lastSeenMillis() < 0 ? null : state.lastSeenMillis();
                    return new MemberView(peer.id(), peer.url().toString(), state.alive(), lastSeen, phi(peer.id()));
                })
                .toList();
    }

    /** Whether the member answered its latest probe (always true for this node). */
    public boolean alive(String peerId) {
        return peerId.equals(settings.selfId()) || states.get(peerId).alive();
    }

    /**
     * A message arrived from {@code peerId} (any thread; called for every inbound Raft frame). Feeds its phi-accrual
     * detector (Hayashibara et al.), which the probe's yes/no cannot replace: phi grows with silence.
     */
    public void heardFrom(String peerId) {
        PhiAccrualDetector detector = detectors.get(peerId);
        if (detector != null) {
            synchronized (detector) {
                detector.heartbeat(monotonicMillis());
            }
        }
    }

    /** Phi of the member now: 0 for this node and before the first message, growing with silence. */
    public double phi(String peerId) {
        PhiAccrualDetector detector = detectors.get(peerId);
        if (detector == null) {
            return 0.0;
        }
        synchronized (detector) {
            return detector.phi(monotonicMillis());
        }
    }

    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    void reportAlive(Peer peer) {
        long now = clock.millis();
        states.compute(peer.id(), (id, state) -> state.seen(now));
    }

    void reportMissed(Peer peer) {
        states.compute(peer.id(), (id, state) -> state.missed());
    }
}
