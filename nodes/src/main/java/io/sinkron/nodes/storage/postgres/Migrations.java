package io.sinkron.nodes.storage.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.jboss.logging.Logger;

/**
 * Brings the node's database to the current schema (Flyway, {@code classpath:db/migration}) and claims it for the
 * node. Blocking; start-up only.
 */
public final class Migrations {

    private static final Logger LOG = Logger.getLogger(Migrations.class);

    private Migrations() {}

    /**
     * What start-up found and did.
     *
     * @param applied how many migrations ran now (0 when the schema was current)
     * @param schemaVersion the schema version after migrating
     * @param firstStart when this node first started on this database
     */
    public record Outcome(int applied, String schemaVersion, Instant firstStart) {}

    /**
     * Migrates, then records {@code nodeId} as the owner of the database, or checks that it already is.
     *
     * @throws StorageStartException when a migration fails or the database belongs to another node
     */
    public static Outcome migrate(DataSource database, String nodeId) {
        Flyway flyway = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(database)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load();
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            throw new StorageStartException("database migration failed: " + PostgresJdbc.reason(e), e);
        }
        // Paired check: a class loader that hides the scripts would otherwise look like an empty, current schema.
        if (flyway.info().current() == null) {
            throw new IllegalStateException("no migration found on the class path under db/migration");
        }
        String version = flyway.info().current().getVersion().getVersion();
        Instant firstStart = claim(database, nodeId);
        LOG.infof(
                "database schema at version %s (%d migrations applied now); node %s first started on it at %s",
                version, result.migrationsExecuted, nodeId, firstStart);
        return new Outcome(result.migrationsExecuted, version, firstStart);
    }

    /**
     * One database holds one node's state: several nodes writing the same Raft tables would corrupt each other, so a
     * database that another node has claimed is refused.
     */
    private static Instant claim(DataSource database, String nodeId) {
        try (Connection connection = database.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO node_meta (node_id) VALUES (?) ON CONFLICT (singleton) DO NOTHING")) {
                insert.setString(1, nodeId);
                insert.executeUpdate();
            }
            try (PreparedStatement select = connection.prepareStatement(
                            "SELECT node_id, first_start_at FROM node_meta WHERE singleton");
                    ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("node_meta has no row right after inserting one");
                }
                String owner = row.getString(1);
                if (!owner.equals(nodeId)) {
                    throw new StorageStartException("the database belongs to node '" + owner + "', not '" + nodeId
                            + "'; give every node its own database (or data directory)");
                }
                return row.getTimestamp(2).toInstant();
            }
        } catch (SQLException e) {
            throw new StorageStartException("cannot record the node in node_meta: " + PostgresJdbc.reason(e), e);
        }
    }
}
