package io.sinkron.nodes.raft;

import io.sinkron.channel.FrameHandler;
import io.sinkron.schemas.raft.RaftCodec;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Turns channel frames into driver inputs: decodes the {@link ShardEnvelope} and the Raft message on the channel's
 * delivery thread (cheap, and it keeps malformed frames away from the driver), then hands them on. A frame that does
 * not decode is dropped and logged at debug: a peer on another format version, or corruption; Raft retries.
 */
final class InboundFrames implements FrameHandler {

    private static final Logger LOG = Logger.getLogger(InboundFrames.class);

    private final BiConsumer<String, DriverInput.Inbound> sink;

    InboundFrames(BiConsumer<String, DriverInput.Inbound> sink) {
        this.sink = sink;
    }

    @Override
    public void onFrame(String fromPeer, byte[] frame) {
        ShardEnvelope envelope;
        RaftMessage message;
        try {
            envelope = ShardEnvelope.decode(frame);
            message = RaftCodec.decode(envelope.payload());
        } catch (RuntimeException e) {
            LOG.debugf("dropping a malformed frame from %s: %s", fromPeer, e.getMessage());
            return;
        }
        sink.accept(fromPeer, new DriverInput.Inbound(envelope.shard(), message));
    }
}
