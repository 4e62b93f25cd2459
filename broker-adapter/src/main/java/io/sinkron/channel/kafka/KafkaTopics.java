package io.sinkron.channel.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates inbox topics before a channel uses them, so no broker-side auto-creation with default settings is needed. */
final class KafkaTopics {

    private static final long ADMIN_TIMEOUT_SECONDS = 30;

    private KafkaTopics() {}

    /** Blocking; call at start-up, never on an event loop. Existing topics are left as they are. */
    static void ensureInboxes(KafkaChannelConfig config, Collection<String> peers, int recordOverheadBytes) {
        Set<String> nodes = new LinkedHashSet<>();
        nodes.add(config.self());
        nodes.addAll(peers);
        List<NewTopic> topics = new ArrayList<>();
        for (String node : nodes) {
            topics.add(new NewTopic(config.inboxTopic(node), 1, config.replicationFactor())
                    .configs(Map.of(
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                            Integer.toString(config.limits().frameBytesMax() + recordOverheadBytes))));
        }
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                awaitCreated(entry.getKey(), entry.getValue());
            }
        }
    }

    private static void awaitCreated(String topic, org.apache.kafka.common.KafkaFuture<Void> creation) {
        try {
            creation.get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create Kafka topic " + topic + ": " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka did not create topic " + topic + " within " + ADMIN_TIMEOUT_SECONDS
                            + " s; is the broker reachable?",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topic " + topic, e);
        }
    }
}
