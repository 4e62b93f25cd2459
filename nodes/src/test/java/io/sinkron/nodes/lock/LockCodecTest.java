package io.sinkron.nodes.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the log and reply layouts: every command and reply survives encode + decode unchanged, the records refuse
// what cannot be encoded faithfully, and decoding refuses unknown versions and ops, truncation, trailing bytes and
// invalid text with IllegalArgumentException only.
class LockCodecTest {

    static final List<LockCommand> COMMANDS = List.of(
            new LockCommand.OpenSession("c-1", 1, 5, 42, 10_000),
            new LockCommand.KeepAlive("", 0, 6, 42),
            new LockCommand.CloseSession("a.b:c", Long.MAX_VALUE, LockCommand.NOW_MS_MAX, -1),
            new LockCommand.Acquire("c", 3, 7, 42, "orders/42", LockMode.SHARED, 5_000, 1_000),
            new LockCommand.Acquire("c", 4, 7, 42, "ünïcode is allowed on the wire", LockMode.EXCLUSIVE, -5, -6),
            new LockCommand.Release("c", 5, 8, 42, "orders/42", 17),
            new LockCommand.CancelWait("c", 6, 9, 42, "orders/42"),
            new LockCommand.ForceRelease("admin", 7, 10, "orders/42"),
            new LockCommand.Tick(11),
            new LockCommand.LeaderChanged(0),
            new LockCommand.AbortWait(
                    "", 0, 12, 42, "orders/42", List.of(new CycleStep(7, "orders/7"), new CycleStep(42, "orders/42"))),
            new LockCommand.AbortWait("c", 8, 13, 42, "orders/42", List.of()));

    static final List<LockReply> REPLIES = List.of(
            new LockReply.Ok(),
            new LockReply.SessionOpened(3, 10_000, 99),
            new LockReply.SessionKept(3, 10_000, 100),
            new LockReply.SessionClosed(3, 2, 1),
            new LockReply.Granted(77, LockMode.SHARED),
            new LockReply.Waiting(3, 1_234_567_890_123L),
            new LockReply.Refused(LockReply.Refused.Reason.LOCK_DELAY),
            new LockReply.Deadlock(List.of(new CycleStep(1, "a"), new CycleStep(2, "b")), true),
            new LockReply.Released(77),
            new LockReply.WaitCancelled(),
            new LockReply.ForceReleased(4),
            new LockReply.Error(LockError.WRONG_TOKEN, "the hold's token is 5, not 4"),
            new LockReply.Error(LockError.SESSION_EXISTS, "session 3 is open for another client or ttl"));

    @Test
    void commandsRoundTrip() {
        for (LockCommand command : COMMANDS) {
            assertThat(LockCommand.decode(command.encode())).isEqualTo(command);
        }
    }

    @Test
    void repliesRoundTrip() {
        for (LockReply reply : REPLIES) {
            assertThat(LockReply.decode(reply.encode())).isEqualTo(reply);
        }
    }

    @Test
    void aWaitingReplyRememberedBeforeItCarriedItsIndexReadsAsIndexZero() {
        // Version 2 replies kept in a client table (and in snapshots) by a node that wrote Waiting as tag 6.
        byte[] older =
                new Wire.Writer().u8(LockReply.FORMAT_VERSION).u8(6).i32(3).toByteArray();

        assertThat(LockReply.decode(older)).isEqualTo(new LockReply.Waiting(3, 0));
    }

    @Test
    void recordsRefuseWhatTheLayoutCannotCarry() {
        assertThatThrownBy(() -> new LockCommand.OpenSession("bad id", 1, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.OpenSession("c", -1, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.Tick(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.Tick(LockCommand.NOW_MS_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.ForceRelease("c", 1, 1, "x".repeat(1025)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.ForceRelease("c", 1, 1, "\uD800"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.Release("c", 1, 1, 1, null, 1))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new LockReply.Error(LockError.NOT_HOLDER, "x".repeat(513)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.AbortWait("c", 1, 1, 1, "a", cycleOf(LockCommand.CYCLE_STEPS_MAX + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> new LockCommand.AbortWait("c", 1, 1, 1, "a", List.of(new CycleStep(1, "x".repeat(1025)))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockCommand.AbortWait("c", 1, 1, 1, "a", null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void abortWaitCarriesACycleOfAtMostTheLimit() {
        assertThat(LockCommand.CYCLE_STEPS_MAX).isEqualTo(LockLimits.DEFAULTS.cycleStepsMax());
        LockCommand longest = new LockCommand.AbortWait("c", 1, 1, 1, "a", cycleOf(LockCommand.CYCLE_STEPS_MAX));
        assertThat(LockCommand.decode(longest.encode())).isEqualTo(longest);

        // The same layout with one more step: the count is refused before any step is read.
        byte[] bytes = longest.encode();
        int countAt = bytes.length - LockCommand.CYCLE_STEPS_MAX * (8 + 2 + 1) - 4;
        bytes[countAt + 3] = (byte) (LockCommand.CYCLE_STEPS_MAX + 1);
        assertThatThrownBy(() -> LockCommand.decode(bytes)).isInstanceOf(IllegalArgumentException.class);
        bytes[countAt] = (byte) 0x80; // negative
        assertThatThrownBy(() -> LockCommand.decode(bytes)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<CycleStep> cycleOf(int steps) {
        List<CycleStep> cycle = new java.util.ArrayList<>();
        for (int i = 0; i < steps; i++) {
            cycle.add(new CycleStep(i + 1, "l"));
        }
        return cycle;
    }

    @Test
    void decodingRefusesWhatIsNotACommand() {
        byte[] good = COMMANDS.get(3).encode();
        byte[] badVersion = good.clone();
        badVersion[0] = 1; // the layout before OpenSession carried its session id
        byte[] badOp = good.clone();
        badOp[1] = 11; // one past AbortWait
        byte[] badMode = good.clone();
        badMode[good.length - 17] = 3;
        byte[] badUtf8 = new LockCommand.ForceRelease("c", 1, 1, "ab").encode();
        badUtf8[badUtf8.length - 1] = (byte) 0xC3;
        byte[] longName = new LockCommand.ForceRelease("c", 1, 1, "ab").encode();
        longName[longName.length - 4] = 0x04; // length 1026 > 1024

        for (byte[] bytes : List.of(
                new byte[0],
                badVersion,
                badOp,
                badMode,
                badUtf8,
                longName,
                java.util.Arrays.copyOf(good, good.length - 1),
                java.util.Arrays.copyOf(good, good.length + 1))) {
            assertThatThrownBy(() -> LockCommand.decode(bytes)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void decodingRefusesWhatIsNotAReply() {
        byte[] deadlock = REPLIES.get(7).encode();
        byte[] hugeCycle = deadlock.clone();
        hugeCycle[3] = 0x7F; // count > the wire maximum
        for (byte[] bytes : List.of(
                new byte[0],
                new byte[] {LockReply.FORMAT_VERSION, 99},
                new byte[] {LockReply.FORMAT_VERSION + 1, 1},
                new byte[] {LockReply.FORMAT_VERSION, 1, 0},
                hugeCycle)) {
            assertThatThrownBy(() -> LockReply.decode(bytes)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
