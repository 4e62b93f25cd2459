package io.sinkron.nodes.membership;

import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.Peer;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Probes every other member's {@code /q/health/live} on a Vert.x periodic timer with the non-blocking web client and
 * reports the outcome to {@link Membership}. At most one probe per peer is in flight; a probe slower than the probe
 * timeout counts as a miss. The timer and the client are created in {@link #start()} and released in {@link #stop()}.
 */
@Singleton
public class MembershipProber {

    private static final Logger LOG = Logger.getLogger(MembershipProber.class);

    private static final String LIVENESS_PATH = "/q/health/live";

    private final NodeSettings settings;
    private final Membership membership;
    private final Vertx vertx;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> lastLogged = new ConcurrentHashMap<>();
    private WebClient client;
    private long timerId = -1;

    MembershipProber(NodeSettings settings, Membership membership, Vertx vertx) {
        this.settings = settings;
        this.membership = membership;
        this.vertx = vertx;
    }

    /** Starts probing; the first round goes out at once. */
    public synchronized void start() {
        if (client != null) {
            throw new IllegalStateException("prober already started");
        }
        int timeoutMillis = Math.toIntExact(settings.probeTimeout().toMillis());
        client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setConnectTimeout(timeoutMillis)
                        .setKeepAlive(true)
                        .setMaxPoolSize(1)
                        .setUserAgent("sinkron-prober/" + settings.selfId()));
        probeAll();
        timerId = vertx.setPeriodic(settings.probeInterval().toMillis(), id -> probeAll());
        LOG.infof(
                "probing %d peers every %d ms (timeout %d ms)",
                settings.others().size(), settings.probeInterval().toMillis(), timeoutMillis);
    }

    /** Stops the timer and closes the client; probes in flight complete as misses. Idempotent. */
    public synchronized void stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private void probeAll() {
        WebClient current;
        synchronized (this) {
            current = client;
        }
        if (current == null) {
            return;
        }
        for (Peer peer : settings.others()) {
            if (inFlight.add(peer.id())) {
                probe(current, peer);
            }
        }
    }

    private void probe(WebClient current, Peer peer) {
        current.getAbs(peer.endpoint(LIVENESS_PATH))
                .timeout(settings.probeTimeout().toMillis())
                .send()
                .subscribe()
                .with(
                        response -> {
                            inFlight.remove(peer.id());
                            if (response.statusCode() == 200) {
                                membership.reportAlive(peer);
                                logChange(peer, true, "answered");
                            } else {
                                membership.reportMissed(peer);
                                logChange(peer, false, "answered " + response.statusCode());
                            }
                        },
                        failure -> {
                            inFlight.remove(peer.id());
                            membership.reportMissed(peer);
                            logChange(peer, false, String.valueOf(failure.getMessage()));
                        });
    }

    /** Logs transitions only, so a peer that stays down does not flood the log. */
    private void logChange(Peer peer, boolean alive, String how) {
        Boolean before = lastLogged.put(peer.id(), alive);
        if (before == null || before != alive) {
            LOG.infof("member %s at %s is %s (%s)", peer.id(), peer.url(), alive ? "alive" : "not alive", how);
        }
    }
}
