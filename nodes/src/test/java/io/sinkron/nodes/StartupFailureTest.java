package io.sinkron.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.QuarkusBindException;
import io.sinkron.nodes.config.InvalidConfigurationException;
import io.sinkron.nodes.storage.postgres.StorageStartException;
import io.smallrye.config.ConfigValidationException;
import java.io.IOException;
import java.net.BindException;
import org.junit.jupiter.api.Test;

// Proves the one line a failed start-up prints: our own exceptions are found however deeply Quarkus wraps them, a
// busy HTTP port gets a sentence, and anything else is reduced to its innermost cause on one line.
class StartupFailureTest {

    @Test
    void findsOurMessageInsideWrappers() {
        Throwable wrapped = new RuntimeException(
                "Failed to start quarkus",
                new IllegalStateException("observer failed", new InvalidConfigurationException("sinkron.node.id ...")));

        assertThat(StartupFailure.describe(wrapped)).isEqualTo("sinkron.node.id ...");
        assertThat(StartupFailure.describe(new StorageStartException("PostgreSQL at x is unreachable")))
                .isEqualTo("PostgreSQL at x is unreachable");
    }

    @Test
    void namesABusyHttpPort() {
        Throwable bind =
                new RuntimeException(new QuarkusBindException("127.0.0.1", 8081, new BindException("Address in use")));

        assertThat(StartupFailure.describe(bind))
                .isEqualTo("HTTP port 8081 on 127.0.0.1 is already in use; choose another with quarkus.http.port");
    }

    @Test
    void listsConfigurationProblemsOnOneLine() {
        Throwable invalid = new RuntimeException(new ConfigValidationException(new ConfigValidationException.Problem[] {
            new ConfigValidationException.Problem("SRCFG00050: sinkron.node.peer in SysPropConfigSource does not map"),
            new ConfigValidationException.Problem("SRCFG00039: sinkron.postgres.embedded-port: not a number")
        }));

        assertThat(StartupFailure.describe(invalid))
                .isEqualTo("invalid configuration: SRCFG00050: sinkron.node.peer in SysPropConfigSource does not map;"
                        + " SRCFG00039: sinkron.postgres.embedded-port: not a number");
    }

    @Test
    void reducesAnythingElseToItsRootCauseOnOneLine() {
        Throwable other = new RuntimeException("outer", new IOException("disk full\n  at the end of the world"));

        assertThat(StartupFailure.describe(other))
                .isEqualTo("start-up failed: IOException: disk full; at the end of the world");
    }
}
