package io.sinkron.channel.tcp;

import io.sinkron.channel.Channel;
import io.sinkron.channel.ChannelContractTest;
import io.sinkron.channel.ChannelLimits;
import io.sinkron.channel.FrameHandler;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

// Runs the channel contract against the TCP channel over real loopback sockets; a reopened node binds its old port,
// so the sender must notice the broken connection and reconnect.
class TcpChannelContractTest extends ChannelContractTest {

    @Override
    protected Network network(ChannelLimits limits) {
        Vertx vertx = Vertx.vertx();
        Map<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
        PeerAddresses book = peer -> Optional.ofNullable(addresses.get(peer));
        return new Network() {
            @Override
            public Channel open(String self, FrameHandler handler) throws Exception {
                int port = Optional.ofNullable(addresses.get(self))
                        .map(InetSocketAddress::getPort)
                        .orElse(0);
                TcpChannel channel = TcpChannel.open(
                                vertx,
                                TcpChannelConfig.of(self, "127.0.0.1", port, book)
                                        .withLimits(limits),
                                handler)
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                addresses.put(self, new InetSocketAddress("127.0.0.1", channel.port()));
                return channel;
            }

            @Override
            public void close() throws Exception {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        };
    }
}
