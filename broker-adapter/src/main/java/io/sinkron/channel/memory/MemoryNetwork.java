package io.sinkron.channel.memory;

import io.sinkron.channel.ChannelLimits;
import io.sinkron.channel.FrameHandler;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The switchboard of in-JVM channels: one per test or per embedded cluster, never static, so tests cannot leak into
 * each other. Frames to a node that has no open channel are dropped, as a network drops frames to a dead host.
 */
public final class MemoryNetwork {

    private final ConcurrentMap<String, MemoryChannel> open = new ConcurrentHashMap<>();
    private final ChannelLimits limits;
    private final int inboxFramesMax;

    /**
     * @param limits frame size limit of every channel on this network
     * @param inboxFramesMax frames that may wait for a receiver's handler before further frames to it are dropped
     */
    public MemoryNetwork(ChannelLimits limits, int inboxFramesMax) {
        if (inboxFramesMax < 1) {
            throw new IllegalArgumentException("inboxFramesMax must be at least 1, was " + inboxFramesMax);
        }
        this.limits = limits;
        this.inboxFramesMax = inboxFramesMax;
    }

    public MemoryNetwork() {
        this(ChannelLimits.DEFAULT, 100_000);
    }

    /** Opens {@code self}'s channel; at most one per node id at a time. */
    public MemoryChannel open(String self, FrameHandler handler) {
        MemoryChannel channel = new MemoryChannel(this, self, handler, inboxFramesMax);
        if (open.putIfAbsent(self, channel) != null) {
            channel.close();
            throw new IllegalStateException("a channel for " + self + " is already open on this network");
        }
        return channel;
    }

    ChannelLimits limits() {
        return limits;
    }

    /** Hands a copy of the frame to the receiver's inbox, or drops it when the receiver is not open. */
    boolean deliver(String from, String to, byte[] frame) {
        MemoryChannel target = open.get(to);
        return target != null && target.enqueue(from, frame.clone());
    }

    void closed(MemoryChannel channel) {
        open.remove(channel.self(), channel);
    }
}
