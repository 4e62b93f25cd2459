package io.sinkron.nodes.raft;

import io.sinkron.channel.Channel;
import io.sinkron.channel.FrameHandler;
import io.sinkron.channel.kafka.KafkaChannel;
import io.sinkron.channel.kafka.KafkaChannelConfig;
import io.sinkron.channel.tcp.TcpChannel;
import io.sinkron.channel.tcp.TcpChannelConfig;
import io.sinkron.nodes.config.InvalidConfigurationException;
import io.sinkron.nodes.config.NodeSettings;
import io.sinkron.nodes.config.Peer;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Opens the channel Raft messages travel on ({@code sinkron.channel.raft}). Blocking; called once at start-up on the
 * main thread.
 *
 * <p>TCP: each node listens on the port of its own peer URL + {@code sinkron.raft.port-offset} (default 1000, so a node at
 * {@code http://127.0.0.1:8081} takes Raft frames on 9081); peers are listed by HTTP URL, so their Raft addresses
 * follow by the same rule. A node alone in its membership listens on a free port (nobody needs to reach it, and
 * tests may run next to a real cluster). Kafka: inbox topics {@code sinkron.raft.<node>} on {@code
 * kafka.bootstrap.servers}.
 */
final class RaftChannels {

    private static final Logger LOG = Logger.getLogger(RaftChannels.class);

    static final String KAFKA_TOPIC_PREFIX = "sinkron.raft.";

    private RaftChannels() {}

    static Channel open(
            RaftSettings raft,
            NodeSettings settings,
            String httpHost,
            Vertx vertx,
            Optional<String> kafkaBootstrap,
            FrameHandler handler) {
        return switch (raft.channel()) {
            case TCP -> openTcp(raft, settings, httpHost, vertx, handler);
            case KAFKA -> openKafka(settings, kafkaBootstrap, handler);
        };
    }

    private static Channel openTcp(
            RaftSettings raft, NodeSettings settings, String httpHost, Vertx vertx, FrameHandler handler) {
        // Resolved here, on the main thread: the channel asks on its event loop, which must not do DNS lookups.
        Map<String, InetSocketAddress> addresses =
                settings.peers().stream().collect(Collectors.toMap(Peer::id, p -> raftAddress(p, raft.portOffset())));
        // Our own address by the same rule peers use (the URL they list for us), not by the port Quarkus bound.
        boolean alone = settings.peers().size() == 1;
        int port = alone ? 0 : addresses.get(settings.selfId()).getPort();
        TcpChannelConfig config = TcpChannelConfig.of(
                settings.selfId(), httpHost, port, peer -> Optional.ofNullable(addresses.get(peer)));
        try {
            TcpChannel channel = TcpChannel.open(vertx, config, handler)
                    .toCompletableFuture()
                    .get(RaftHost.START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("raft: TCP channel listening on %s:%d", httpHost, channel.port());
            return channel;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("opening the Raft TCP channel was interrupted", e);
        } catch (Exception e) {
            throw new InvalidConfigurationException("cannot listen for Raft frames on " + httpHost + ":" + port
                    + " (HTTP port + sinkron.raft.port-offset): " + e.getMessage());
        }
    }

    private static InetSocketAddress raftAddress(Peer peer, int offset) {
        return new InetSocketAddress(peer.url().getHost(), peer.url().getPort() + offset);
    }

    private static Channel openKafka(NodeSettings settings, Optional<String> bootstrap, FrameHandler handler) {
        String servers = bootstrap
                .filter(s -> !s.isBlank())
                .orElseThrow(() -> new InvalidConfigurationException(
                        "sinkron.channel.raft=kafka needs kafka.bootstrap.servers, e.g. 127.0.0.1:9092"));
        KafkaChannel channel = KafkaChannel.open(
                KafkaChannelConfig.of(servers, settings.selfId(), KAFKA_TOPIC_PREFIX),
                settings.peers().stream().map(Peer::id).toList(),
                handler);
        try {
            channel.ready().toCompletableFuture().get(RaftHost.START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new IllegalStateException("opening the Raft Kafka channel was interrupted", e);
        } catch (Exception e) {
            channel.close();
            throw new IllegalStateException("the Raft Kafka inbox was not assigned: " + e.getMessage(), e);
        }
        LOG.infof("raft: Kafka channel on %s", servers);
        return channel;
    }
}
