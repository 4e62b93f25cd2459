package io.sinkron.channel.tcp;

import io.sinkron.channel.ChannelLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one node's TCP channel.
 *
 * @param self this node's id, sent in the hello frame of every connection it opens
 * @param bindHost address the inbound server listens on
 * @param bindPort port the inbound server listens on; 0 picks a free one (see {@link TcpChannel#port()})
 * @param peers where each peer listens; asked again at every connection attempt
 * @param limits frame size limit
 * @param sendQueueFramesMax frames waiting for a connection or a flush, over all peers, before send refuses more
 * @param batchBytesMax bytes written to one socket in one event-loop turn
 * @param connectTimeout how long one connection attempt may take
 * @param reconnectDelayMin first delay after a failed connection attempt
 * @param reconnectDelayMax cap of the doubling delay between attempts
 */
public record TcpChannelConfig(
        String self,
        String bindHost,
        int bindPort,
        PeerAddresses peers,
        ChannelLimits limits,
        int sendQueueFramesMax,
        int batchBytesMax,
        Duration connectTimeout,
        Duration reconnectDelayMin,
        Duration reconnectDelayMax) {

    public TcpChannelConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(limits, "limits");
        if (self.isEmpty() || self.length() > 256) {
            throw new IllegalArgumentException("self must be 1..256 characters");
        }
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bindPort out of range: " + bindPort);
        }
        if (sendQueueFramesMax < 1 || batchBytesMax < 1) {
            throw new IllegalArgumentException("sendQueueFramesMax and batchBytesMax must be positive");
        }
        if (reconnectDelayMin.isNegative()
                || reconnectDelayMin.isZero()
                || reconnectDelayMax.compareTo(reconnectDelayMin) < 0) {
            throw new IllegalArgumentException("need 0 < reconnectDelayMin <= reconnectDelayMax");
        }
    }

    /** Defaults tuned for a LAN: fast reconnect (a restarted peer is back within ~0.5 s), 256 KiB write batches. */
    public static TcpChannelConfig of(String self, String bindHost, int bindPort, PeerAddresses peers) {
        return new TcpChannelConfig(
                self,
                bindHost,
                bindPort,
                peers,
                ChannelLimits.DEFAULT,
                50_000,
                256 * 1024,
                Duration.ofSeconds(1),
                Duration.ofMillis(50),
                Duration.ofMillis(500));
    }

    public TcpChannelConfig withLimits(ChannelLimits newLimits) {
        return new TcpChannelConfig(
                self,
                bindHost,
                bindPort,
                peers,
                newLimits,
                sendQueueFramesMax,
                batchBytesMax,
                connectTimeout,
                reconnectDelayMin,
                reconnectDelayMax);
    }
}
