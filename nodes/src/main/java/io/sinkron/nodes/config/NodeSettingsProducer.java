package io.sinkron.nodes.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Converts the raw configuration once; every component injects the validated {@link NodeSettings}. */
final class NodeSettingsProducer {

    @Produces
    @Singleton
    NodeSettings settings(SinkronConfig config, @ConfigProperty(name = "quarkus.http.port") int httpPort) {
        return NodeSettings.from(config, httpPort);
    }
}
