package io.sinkron.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

// Proves that names and client ids are checked against the contract before a request is built, and that a valid name
// becomes a path the server receives unchanged ('/' as is, dot-only segments protected from normalisation).
class NamesTest {

    @Test
    void keepsAllowedCharactersAsTheyAre() {
        assertThat(Names.pathOf("jobs/nightly:v1.2_x-y")).isEqualTo("jobs/nightly:v1.2_x-y");
    }

    @Test
    void encodesDotOnlySegments() {
        assertThat(Names.pathOf("a/../b/.")).isEqualTo("a/%2E%2E/b/%2E");
    }

    @Test
    void refusesNamesOutsideTheContract() {
        assertThatThrownBy(() -> Names.requireName("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Names.requireName("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Names.requireName("x".repeat(257))).isInstanceOf(IllegalArgumentException.class);
        assertThat(Names.requireName("x".repeat(256))).hasSize(256);
    }

    @Test
    void checksClientIdsAndSessionIds() {
        assertThatThrownBy(() -> Names.requireClientId("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Names.isSessionId("8412345678901234")).isTrue();
        assertThat(Names.isSessionId("0")).isFalse();
        assertThat(Names.isSessionId("9223372036854775808")).isFalse();
    }

    @Test
    void lanesReuseTheBareIdWhenCallsDoNotOverlap() {
        Lanes lanes = new Lanes("app");
        String first = lanes.acquire();
        String second = lanes.acquire();
        lanes.release(second);
        lanes.release(first);

        assertThat(first).isEqualTo("app");
        assertThat(second).isEqualTo("app.1");
        assertThat(lanes.acquire()).isEqualTo("app");
    }
}
