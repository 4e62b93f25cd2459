package io.sinkron.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

// Proves the /proc/<pid>/stat state parsing that tells a killed node has stopped: zombie and dead count as stopped,
// running and sleeping do not, and a command name with spaces and parentheses does not confuse it.
class NodeProcessesTest {

    @Test
    void zombieAndDeadAreStopped() {
        assertThat(NodeProcesses.stoppedState("4242 (java) Z 1 4242 4242 0 -1 4194560"))
                .isTrue();
        assertThat(NodeProcesses.stoppedState("4242 (java) X 1 4242 4242 0 -1 4194560"))
                .isTrue();
    }

    @Test
    void runningSleepingAndDiskWaitAreNot() {
        assertThat(NodeProcesses.stoppedState("4242 (java) R 1 4242")).isFalse();
        assertThat(NodeProcesses.stoppedState("4242 (java) S 1 4242")).isFalse();
        assertThat(NodeProcesses.stoppedState("4242 (java) D 1 4242")).isFalse();
    }

    @Test
    void theStateFollowsTheLastParenthesis() {
        assertThat(NodeProcesses.stoppedState("77 (odd (name) Z) S 1 77")).isFalse();
        assertThat(NodeProcesses.stoppedState("77 (odd (name) S) Z 1 77")).isTrue();
    }

    @Test
    void aLineWithoutStateIsRefused() {
        assertThatThrownBy(() -> NodeProcesses.stoppedState("garbage")).isInstanceOf(IllegalArgumentException.class);
    }
}
