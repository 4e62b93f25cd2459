package io.sinkron.channel;

import java.util.concurrent.CompletionStage;

/**
 * A one-way path for opaque frames from this node to its peers; replies travel on the peer's own channel.
 *
 * <p>Contract for every implementation:
 *
 * <ul>
 *   <li><b>Threading:</b> {@link #send} may be called from any thread, including a Vert.x event loop: it never blocks.
 *       Inbound frames reach the {@link FrameHandler} on one delivery thread owned by the channel.
 *   <li><b>Ordering:</b> frames from one sender to one receiver arrive in the order they were sent, or not at all.
 *       Consensus tolerates loss and duplication, not reordering inside a connection it believes is FIFO.
 *   <li><b>Limits:</b> a frame larger than {@link ChannelLimits#frameBytesMax()} is refused with {@link
 *       FrameTooLargeException} before anything is sent.
 *   <li><b>Failure:</b> the returned stage fails with the transport's exception when the frame could not be handed
 *       over; it completes when the transport accepted it (which is not proof of delivery).
 *   <li><b>Closing:</b> after {@link #close()} no frame is delivered to this node's handler and sends fail.
 * </ul>
 */
public interface Channel extends AutoCloseable {

    /** The id of the node this channel belongs to. */
    String self();

    /** Sends one frame to {@code peer}; see the class contract for ordering, limits and failure. */
    CompletionStage<Void> send(String peer, byte[] frame);

    /** Stops delivery and releases the transport; idempotent. */
    @Override
    void close();
}
