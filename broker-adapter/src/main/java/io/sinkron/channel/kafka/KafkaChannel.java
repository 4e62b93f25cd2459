package io.sinkron.channel.kafka;

import io.sinkron.channel.Channel;
import io.sinkron.channel.ChannelOverloadedException;
import io.sinkron.channel.FrameHandler;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel over Apache Kafka: every node consumes its own inbox topic ({@code prefix + id}, one partition) and
 * produces to its peers' inboxes. The record key is the sender's id.
 *
 * <p>Why one partition per inbox and an idempotent producer: Kafka keeps order within a partition, and idempotence
 * keeps it across producer retries even with several requests in flight, which gives the per-sender FIFO the {@link
 * Channel} contract promises.
 *
 * <p>Threads: one sender thread ({@code sinkron-kafka-send-<self>}) calls the producer, because {@code
 * KafkaProducer.send} may block on metadata and {@link #send} must not; one delivery thread ({@code
 * sinkron-kafka-inbox-<self>}) polls the inbox and calls the handler. Both are created here and stopped by {@link
 * #close()}.
 *
 * <p>The consumer group is per node and commits offsets, so frames sent while a node was down are delivered when it
 * comes back; consensus treats them as the stale messages they are.
 */
public final class KafkaChannel implements Channel {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaChannel.class);
    /** Room for Kafka's record and batch headers on top of the frame itself. */
    private static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final KafkaChannelConfig config;
    private final FrameHandler handler;
    private final KafkaProducer<String, byte[]> producer;
    private final ThreadPoolExecutor sender;
    private final Thread delivery;
    private final KafkaConsumer<String, byte[]> consumer;
    private final CompletableFuture<Void> assigned = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaChannel(KafkaChannelConfig config, FrameHandler handler) {
        this.config = config;
        this.handler = handler;
        this.producer = new KafkaProducer<>(producerProperties(config));
        this.consumer = new KafkaConsumer<>(consumerProperties(config));
        this.sender = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.sendQueueFramesMax()),
                runnable -> new Thread(runnable, "sinkron-kafka-send-" + config.self()));
        this.delivery = new Thread(this::deliverLoop, "sinkron-kafka-inbox-" + config.self());
    }

    /**
     * Opens the channel of {@code config.self()}: creates the inbox topics of itself and {@code peers} when missing
     * (blocking, at start-up), then starts delivering to {@code handler}. Use {@link #ready()} to wait until the inbox
     * is assigned.
     */
    public static KafkaChannel open(KafkaChannelConfig config, Collection<String> peers, FrameHandler handler) {
        KafkaTopics.ensureInboxes(config, peers, RECORD_OVERHEAD_BYTES);
        KafkaChannel channel = new KafkaChannel(config, handler);
        channel.delivery.start();
        return channel;
    }

    /** Completes once this node's inbox partition is assigned to its consumer. */
    public CompletionStage<Void> ready() {
        return assigned;
    }

    @Override
    public String self() {
        return config.self();
    }

    @Override
    public CompletionStage<Void> send(String peer, byte[] frame) {
        config.limits().checkFrame(frame);
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new IllegalStateException("channel of " + self() + " is closed"));
            return result;
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.inboxTopic(peer), self(), frame);
        try {
            sender.execute(() -> producer.send(record, (metadata, error) -> {
                if (error == null) {
                    result.complete(null);
                } else {
                    result.completeExceptionally(error);
                }
            }));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(
                    sender.isShutdown()
                            ? new IllegalStateException("channel of " + self() + " is closed")
                            : new ChannelOverloadedException(self(), config.sendQueueFramesMax()));
        }
        return result;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        consumer.wakeup();
        sender.shutdown();
        try {
            if (!sender.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
            delivery.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close(CLOSE_WAIT);
        }
        assigned.completeExceptionally(new IllegalStateException("channel of " + self() + " closed"));
    }

    private void deliverLoop() {
        try (consumer) {
            consumer.subscribe(List.of(config.inboxTopic(self())), new AssignmentListener());
            while (!closed.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(config.pollTimeout())) {
                    deliver(record);
                }
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("inbox of {} stopped delivering", self(), e);
            assigned.completeExceptionally(e);
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        if (closed.get()) {
            return;
        }
        try {
            handler.onFrame(record.key(), record.value());
        } catch (RuntimeException e) {
            LOG.warn("handler of {} failed on a frame from {}; frame dropped", self(), record.key(), e);
        }
    }

    private final class AssignmentListener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                assigned.complete(null);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Nothing to flush: offsets are auto-committed and frames are handled synchronously.
        }
    }

    private static Properties producerProperties(KafkaChannelConfig config) {
        Properties props = new Properties();
        props.putAll(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, config.topicPrefix() + config.self() + ".producer",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5",
                ProducerConfig.LINGER_MS_CONFIG, Integer.toString(config.lingerMillis()),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        Integer.toString(config.limits().frameBytesMax() + RECORD_OVERHEAD_BYTES),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        return props;
    }

    private static Properties consumerProperties(KafkaChannelConfig config) {
        Properties props = new Properties();
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                config.topicPrefix() + config.self(),
                ConsumerConfig.CLIENT_ID_CONFIG,
                config.topicPrefix() + config.self() + ".consumer",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "true",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(config.limits().frameBytesMax() + RECORD_OVERHEAD_BYTES),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName()));
        return props;
    }
}
