package io.sinkron.schemas.raft;

// Proves the codec round-trips every message (jqwik-generated over the whole sealed family) and rejects truncated,
// padded or oversized input with MalformedMessageException rather than any other failure.

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RaftCodecPropertyTest {

    @Property
    void roundTrips(@ForAll("messages") RaftMessage message) {
        assertThat(RaftCodec.decode(RaftCodec.encode(message))).isEqualTo(message);
    }

    @Property
    void truncatedOrPaddedInputIsRejected(@ForAll("messages") RaftMessage message) {
        byte[] bytes = RaftCodec.encode(message);
        for (int cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length / 7)) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> RaftCodec.decode(truncated)).isInstanceOf(MalformedMessageException.class);
        }
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> RaftCodec.decode(padded)).isInstanceOf(MalformedMessageException.class);
    }

    @Property
    void garbageNeverEscapesAsAnotherException(@ForAll byte[] garbage) {
        try {
            RaftCodec.decode(garbage);
        } catch (MalformedMessageException expected) {
            // the only allowed failure
        }
    }

    @Provide
    Arbitrary<RaftMessage> messages() {
        Arbitrary<Integer> id = Arbitraries.integers().between(0, 200);
        Arbitrary<Long> number = Arbitraries.longs().between(0, 1L << 40);
        Arbitrary<Boolean> flag = Arbitraries.of(true, false);
        Arbitrary<ClusterConfig> config = Arbitraries.integers()
                .between(0, 20)
                .set()
                .ofMaxSize(5)
                .map(voters -> new ClusterConfig(voters, Set.of(21, 22)));
        Arbitrary<EntryPayload> payload = Arbitraries.oneOf(
                Arbitraries.just(new EntryPayload.Noop()),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(EntryPayload.Command::new),
                config.map(EntryPayload.Config::new));
        Arbitrary<List<LogEntry>> entries = Combinators.combine(
                        Arbitraries.longs().between(1, 1000), payload)
                .as((term, p) -> new LogEntry(term, 1, p))
                .list()
                .ofMaxSize(5);
        Arbitrary<SnapshotMeta> meta = Combinators.combine(Arbitraries.longs().between(1, 1000), config)
                .as((index, c) -> new SnapshotMeta(index, index, c));
        Arbitrary<byte[]> chunk = Arbitraries.bytes().array(byte[].class).ofMaxSize(100);
        return Arbitraries.oneOf(
                Combinators.combine(id, id, number, number, number).as(RaftMessage.PreVoteRequest::new),
                Combinators.combine(id, id, number, flag).as(RaftMessage.PreVoteResponse::new),
                Combinators.combine(id, id, number, number, number, flag).as(RaftMessage.VoteRequest::new),
                Combinators.combine(id, id, number, flag).as(RaftMessage.VoteResponse::new),
                Combinators.combine(id, id, number, number, number, number, number, entries)
                        .as(RaftMessage.AppendEntriesRequest::new),
                Combinators.combine(id, id, number, flag, number, number, number, number)
                        .as((f, t, term, ok, a, b, c, d) ->
                                new RaftMessage.AppendEntriesResponse(f, t, term, ok, a, b, c, d, a ^ b)),
                Combinators.combine(id, id, number, meta, number, chunk, flag)
                        .as(RaftMessage.InstallSnapshotRequest::new),
                Combinators.combine(id, id, number, number, number, flag).as(RaftMessage.InstallSnapshotResponse::new),
                Combinators.combine(id, id, number).as(RaftMessage.TimeoutNowRequest::new));
    }
}
