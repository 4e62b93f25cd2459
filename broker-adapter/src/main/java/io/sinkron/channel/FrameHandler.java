package io.sinkron.channel;

/**
 * Receives inbound frames. Called on the channel's delivery thread, one frame at a time, in per-sender order; it must
 * hand heavy work elsewhere rather than block delivery for long. An exception it throws is logged and the frame is
 * dropped (the protocols above retry).
 */
@FunctionalInterface
public interface FrameHandler {

    /** One frame that {@code fromPeer} sent to this node. */
    void onFrame(String fromPeer, byte[] frame);
}
