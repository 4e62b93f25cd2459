package io.sinkron.nodes.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

// Proves how sinkron.postgres.url is read: libpq-like defaults, percent-decoded credentials, a JDBC URL for the
// start-up work, and a printed form that never shows the password.
class PostgresUrlTest {

    @Test
    void readsEveryPart() {
        PostgresUrl url =
                PostgresUrl.parse("p", "postgresql://sinkron:p%40ss@db.example:6543/sinkron_n1?sslmode=require");

        assertThat(url)
                .isEqualTo(new PostgresUrl("db.example", 6543, "sinkron_n1", "sinkron", "p@ss", "sslmode=require"));
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/sinkron_n1?sslmode=require");
        assertThat(url.toString())
                .isEqualTo("postgresql://sinkron:***@db.example:6543/sinkron_n1?sslmode=require")
                .doesNotContain("p@ss");
    }

    @Test
    void fillsInDefaultsLikeLibpq() {
        assertThat(PostgresUrl.parse("p", "postgres://127.0.0.1"))
                .isEqualTo(new PostgresUrl("127.0.0.1", 5432, "postgres", "postgres", null, null));
        assertThat(PostgresUrl.parse("p", "postgresql://alice@127.0.0.1/"))
                .isEqualTo(new PostgresUrl("127.0.0.1", 5432, "alice", "alice", null, null));
    }

    @Test
    void refusesWhatIsNotAPostgresqlUrl() {
        assertThatThrownBy(() -> PostgresUrl.parse("sinkron.postgres.url", "jdbc:postgresql://h/db"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("sinkron.postgres.url")
                .hasMessageContaining("scheme");
        assertThatThrownBy(() -> PostgresUrl.parse("p", "postgresql:///db")).hasMessageContaining("no host");
        assertThatThrownBy(() -> PostgresUrl.parse("p", "postgresql://h/a/b")).hasMessageContaining("database name");
        assertThatThrownBy(() -> PostgresUrl.parse("p", "postgresql://u:hunter2@h:x/db"))
                .hasMessageNotContaining("hunter2");
    }
}
