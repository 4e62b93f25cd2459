package io.sinkron.schemas.raft;

// Proves wire compatibility: one fixed message of every kind must encode to exactly the bytes committed in
// src/test/resources/raft/golden-v1.hex, and those bytes must decode back. A failure means the wire format changed.

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RaftCodecGoldenTest {

    static List<RaftMessage> samples() {
        ClusterConfig config = new ClusterConfig(Set.of(1, 2, 3), Set.of(4));
        List<LogEntry> entries = List.of(
                new LogEntry(7, 10, new EntryPayload.Noop()),
                new LogEntry(7, 11, new EntryPayload.Command(new byte[] {1, 2, 3})),
                new LogEntry(7, 12, new EntryPayload.Config(config)));
        return List.of(
                new RaftMessage.PreVoteRequest(1, 2, 8, 12, 7),
                new RaftMessage.PreVoteResponse(2, 1, 8, true),
                new RaftMessage.VoteRequest(1, 2, 8, 12, 7, true),
                new RaftMessage.VoteResponse(2, 1, 8, false),
                new RaftMessage.AppendEntriesRequest(1, 2, 7, 9, 6, 9, 5, entries),
                new RaftMessage.AppendEntriesResponse(2, 1, 7, false, 0, 9, 6, 4, 5),
                new RaftMessage.InstallSnapshotRequest(
                        1, 2, 7, new SnapshotMeta(100, 6, config), 64, new byte[] {9, 8, 7}, true),
                new RaftMessage.InstallSnapshotResponse(2, 1, 7, 100, 67, true),
                new RaftMessage.TimeoutNowRequest(1, 2, 7));
    }

    @Test
    void encodingMatchesTheCommittedGoldenBytes() throws IOException {
        List<String> golden;
        try (InputStream in = RaftCodecGoldenTest.class.getResourceAsStream("/raft/golden-v1.hex")) {
            assertThat(in).as("golden file").isNotNull();
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        }
        List<RaftMessage> samples = samples();
        assertThat(golden).hasSameSizeAs(samples);
        for (int i = 0; i < samples.size(); i++) {
            byte[] expected = HexFormat.of().parseHex(golden.get(i));
            assertThat(HexFormat.of().formatHex(RaftCodec.encode(samples.get(i))))
                    .as("wire form of %s", samples.get(i).getClass().getSimpleName())
                    .isEqualTo(golden.get(i));
            assertThat(RaftCodec.decode(expected)).isEqualTo(samples.get(i));
        }
    }
}
