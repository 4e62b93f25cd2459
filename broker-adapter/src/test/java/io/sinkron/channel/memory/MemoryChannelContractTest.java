package io.sinkron.channel.memory;

import io.sinkron.channel.Channel;
import io.sinkron.channel.ChannelContractTest;
import io.sinkron.channel.ChannelLimits;
import io.sinkron.channel.FrameHandler;

// Runs the channel contract against the in-JVM memory channel.
class MemoryChannelContractTest extends ChannelContractTest {

    @Override
    protected Network network(ChannelLimits limits) {
        MemoryNetwork network = new MemoryNetwork(limits, 100_000);
        return new Network() {
            @Override
            public Channel open(String self, FrameHandler handler) {
                return network.open(self, handler);
            }

            @Override
            public void close() {}
        };
    }
}
