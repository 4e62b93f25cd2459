package io.sinkron.channel.kafka;

import io.sinkron.channel.ChannelLimits;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of one node's Kafka channel.
 *
 * @param bootstrapServers Kafka bootstrap list, e.g. {@code 127.0.0.1:9092}
 * @param self this node's id; its inbox topic is {@code topicPrefix + self}
 * @param topicPrefix prefix of every inbox topic and consumer group, e.g. {@code sinkron.raft.}
 * @param replicationFactor replication factor of inbox topics this channel creates
 * @param limits frame size limit
 * @param sendQueueFramesMax frames that may wait for the producer before {@code send} refuses more
 * @param lingerMillis producer linger: 0 favours latency, a few ms favours batching
 * @param pollTimeout how long one consumer poll waits; bounds how quickly {@code close} is noticed
 */
public record KafkaChannelConfig(
        String bootstrapServers,
        String self,
        String topicPrefix,
        short replicationFactor,
        ChannelLimits limits,
        int sendQueueFramesMax,
        int lingerMillis,
        Duration pollTimeout) {

    private static final Pattern TOPIC_SAFE = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public KafkaChannelConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        requireTopicSafe("self", self);
        requireTopicSafe("topicPrefix", topicPrefix);
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1, was " + replicationFactor);
        }
        if (sendQueueFramesMax < 1) {
            throw new IllegalArgumentException("sendQueueFramesMax must be at least 1, was " + sendQueueFramesMax);
        }
        if (lingerMillis < 0) {
            throw new IllegalArgumentException("lingerMillis must not be negative, was " + lingerMillis);
        }
    }

    /** Defaults for a single-broker development setup. */
    public static KafkaChannelConfig of(String bootstrapServers, String self, String topicPrefix) {
        return new KafkaChannelConfig(
                bootstrapServers,
                self,
                topicPrefix,
                (short) 1,
                ChannelLimits.DEFAULT,
                10_000,
                0,
                Duration.ofMillis(200));
    }

    /** The inbox topic of {@code node}. */
    public String inboxTopic(String node) {
        requireTopicSafe("node", node);
        return topicPrefix + node;
    }

    private static void requireTopicSafe(String what, String value) {
        if (value == null || !TOPIC_SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must match " + TOPIC_SAFE + ", was " + value);
        }
    }
}
