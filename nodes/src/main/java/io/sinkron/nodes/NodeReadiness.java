package io.sinkron.nodes;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only between the end of start-up (storage migrated, probing running) and the start of shutdown. The HTTP
 * port opens before start-up finishes, so without this check a node could look ready before its schema exists.
 * PostgreSQL reachability is checked separately by the reactive client's own readiness check.
 */
@Readiness
@Singleton
final class NodeReadiness implements HealthCheck {

    private final NodeLifecycle lifecycle;

    NodeReadiness(NodeLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("sinkron-node")
                .status(lifecycle.started())
                .build();
    }
}
