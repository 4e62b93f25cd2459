package io.sinkron.channel.tcp;

import java.net.InetSocketAddress;
import java.util.Optional;

/** Where a peer's TCP channel listens. Called on the channel's event loop: must not block. */
@FunctionalInterface
public interface PeerAddresses {

    /** The peer's address, or empty when it is not known (the channel keeps frames queued and retries). */
    Optional<InetSocketAddress> addressOf(String peer);
}
