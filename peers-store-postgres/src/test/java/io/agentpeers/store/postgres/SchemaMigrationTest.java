package io.agentpeers.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.StoreException;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.store.postgres.internal.Migration;
import io.agentpeers.store.postgres.internal.Schema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("postgres")
class SchemaMigrationTest {
    private final PostgresServer server = PostgresServer.shared();
    private final String schema = server.freshSchema();

    @Test
    void migrationsAreNumberedOneByOneFromOne() {
        List<Migration> steps = Schema.MIGRATIONS;
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i + 1, steps.get(i).version(), steps.get(i).description());
        }
    }

    @Test
    void aNewSchemaGetsEveryStepRecordedWithThisPeersVersion() throws Exception {
        open().close();
        assertEquals(List.of("brokers", "claims", "kill_requests", "messages", "peers", "schema_version"), tables());
        List<String> recorded =
                strings("SELECT version || ' ' || peers_version FROM " + schema + ".schema_version ORDER BY version");
        List<String> expected = new ArrayList<>();
        for (Migration step : Schema.MIGRATIONS) {
            expected.add(step.version() + " " + Schema.peersVersion());
        }
        assertEquals(expected, recorded);
        assertTrue(!Schema.peersVersion().equals("unknown"), "the filtered resource names the version");
    }

    @Test
    void reopeningAppliesNothingTwiceAndKeepsTheData() throws Exception {
        try (PostgresPeerStore store = open()) {
            store.inTransaction(tx -> {
                tx.insertPeer(
                        io.agentpeers.testkit.StoreContractFixtures.peer("p1").build());
                return null;
            });
        }
        try (PostgresPeerStore store = open()) {
            assertEquals(1, store.read(StoreTransaction::counts).livePeers());
        }
        assertEquals(
                List.of(Integer.toString(Schema.MIGRATIONS.size())),
                strings("SELECT count(*)::text FROM " + schema + ".schema_version"));
    }

    @Test
    void aSchemaFromANewerPeersIsRefusedAndLeftAlone() throws Exception {
        open().close();
        int newer = Schema.latestVersion() + 1;
        server.execute(
                "INSERT INTO " + schema + ".schema_version VALUES (" + newer + ", 'from the future', 0, '9.4.2')");

        StoreException e = assertThrows(StoreException.class, this::open);

        assertTrue(e.getMessage().contains("schema version " + newer), e.getMessage());
        assertTrue(e.getMessage().contains("use peers 9.4.2 or later"), e.getMessage());
        assertEquals(
                List.of(newer + " " + (Schema.latestVersion() + 1)),
                strings("SELECT max(version) || ' ' || count(*) FROM " + schema + ".schema_version"));
    }

    @Test
    void aSchemaOfAnotherProgramIsRefusedAndLeftAlone() throws Exception {
        server.execute("CREATE TABLE " + schema + ".invoices (id integer PRIMARY KEY)");

        StoreException e = assertThrows(StoreException.class, this::open);

        assertTrue(e.getMessage().contains("not a peers database"), e.getMessage());
        assertTrue(e.getMessage().contains("invoices"), e.getMessage());
        assertEquals(List.of("invoices"), tables());
    }

    @Test
    void aFailedMigrationLeavesTheSchemaAsItWas() throws Exception {
        // A table named like the second table of step 1: the step fails halfway, after creating peers.
        server.execute("CREATE TABLE " + schema + ".schema_version (version integer PRIMARY KEY,"
                + " description text NOT NULL, applied_at bigint NOT NULL, peers_version text NOT NULL)");
        server.execute("CREATE TABLE " + schema + ".messages (id integer)");

        assertThrows(StoreException.class, this::open);

        assertEquals(List.of("messages", "schema_version"), tables(), "DDL is transactional: no peers table");
        assertEquals(List.of("0"), strings("SELECT count(*)::text FROM " + schema + ".schema_version"));
    }

    @Test
    void aSchemaThatDoesNotExistIsRefusedWithTheReason() {
        StoreException e = assertThrows(
                StoreException.class, () -> PostgresPeerStore.open(server.url("nosuchschema"), server.credentials()));
        assertTrue(e.getMessage().contains("no current schema"), e.getMessage());
    }

    private PostgresPeerStore open() {
        return PostgresPeerStore.open(server.url(schema), server.credentials());
    }

    private List<String> tables() throws SQLException {
        return strings("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
                + "' ORDER BY table_name");
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = server.connect("peers_test");
                PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
