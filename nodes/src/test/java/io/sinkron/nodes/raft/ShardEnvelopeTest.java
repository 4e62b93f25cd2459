package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.schemas.raft.RaftCodec;
import io.sinkron.schemas.raft.RaftMessage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

// Proves the inter-node frame: an envelope round-trips with its shard and Raft payload intact, and every kind of bad
// frame (short, wrong version, bad shard, length mismatch, trailing bytes) is refused rather than half-decoded.
class ShardEnvelopeTest {

    @Test
    void roundTripsShardAndRaftMessage() {
        RaftMessage vote = new RaftMessage.VoteRequest(1, 2, 7, 42, 6, false);
        ShardEnvelope envelope = new ShardEnvelope(5, RaftCodec.encode(vote));

        ShardEnvelope decoded = ShardEnvelope.decode(envelope.encode());

        assertThat(decoded).isEqualTo(envelope);
        assertThat(decoded.shard()).isEqualTo(5);
        assertThat(RaftCodec.decode(decoded.payload())).isEqualTo(vote);
    }

    @Test
    void emptyPayloadRoundTrips() {
        ShardEnvelope envelope = new ShardEnvelope(0, new byte[0]);
        assertThat(ShardEnvelope.decode(envelope.encode())).isEqualTo(envelope);
    }

    @Test
    void refusesFramesShorterThanTheHeader() {
        assertThatThrownBy(() -> ShardEnvelope.decode(new byte[] {1, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shorter than the header");
    }

    @Test
    void refusesUnknownVersion() {
        byte[] frame = new ShardEnvelope(1, new byte[] {9}).encode();
        frame[0] = 2;
        assertThatThrownBy(() -> ShardEnvelope.decode(frame)).hasMessageContaining("version");
    }

    @Test
    void refusesShardOutOfRange() {
        byte[] frame = ByteBuffer.allocate(ShardEnvelope.HEADER_BYTES)
                .put(ShardEnvelope.FORMAT_VERSION)
                .putInt(-3)
                .putInt(0)
                .array();
        assertThatThrownBy(() -> ShardEnvelope.decode(frame)).hasMessageContaining("shard out of range");
    }

    @Test
    void refusesTruncatedAndTrailingPayload() {
        byte[] frame = new ShardEnvelope(1, new byte[] {1, 2, 3, 4}).encode();
        assertThatThrownBy(() -> ShardEnvelope.decode(Arrays.copyOf(frame, frame.length - 1)))
                .hasMessageContaining("disagrees");
        assertThatThrownBy(() -> ShardEnvelope.decode(Arrays.copyOf(frame, frame.length + 1)))
                .hasMessageContaining("disagrees");
    }

    @Test
    void payloadIsCopiedInAndOut() {
        byte[] payload = {1, 2, 3};
        ShardEnvelope envelope = new ShardEnvelope(1, payload);
        payload[0] = 9;
        envelope.payload()[1] = 9;
        assertThat(envelope.payload()).containsExactly(1, 2, 3);
    }
}
