package io.agentpeers.store.postgres;

import static io.agentpeers.testkit.StoreContractFixtures.at;
import static io.agentpeers.testkit.StoreContractFixtures.message;
import static io.agentpeers.testkit.StoreContractFixtures.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the PostgreSQL store does beyond the contract: its lock, lost readers, PostgreSQL's limits (a lost
 * writer: {@link PostgresOutageTest}).
 */
@Tag("postgres")
class PostgresPeerStoreTest {
    private final PostgresServer server = PostgresServer.shared();
    private final String schema = server.freshSchema();
    /** Names this test's connections in pg_stat_activity, so that the test can cut them. */
    private final String application = "peers-test-" + schema;

    private static final String PGPASSFILE_PROPERTY = "org.postgresql.pgpassfile";

    @Test
    void aSecondStoreOfTheSameBrokerIdOnTheSameSchemaIsRefusedUntilTheFirstClosesAnotherIdOpensBeside() {
        try (PostgresPeerStore first = open()) {
            first.inTransaction(tx -> {
                tx.insertPeer(peer("p1").build());
                return null;
            });
            StoreException refused = assertThrows(StoreException.class, this::open);
            assertTrue(refused.getMessage().contains("in use by another peers broker"), refused.getMessage());
            try (PostgresPeerStore other = PostgresPeerStore.open(
                    server.url(schema), server.credentials(), PostgresBroker.of("other-broker", "elsewhere"))) {
                assertEquals(List.of(), other.read(StoreTransaction::livePeers), "p1 is the first broker's");
                List<Peer> remote = other.read(StoreTransaction::remotePeers);
                assertEquals(1, remote.size());
                assertEquals(
                        new PeerHolder("default", PostgresBroker.localHost()),
                        remote.get(0).holder());
            }
            try (PostgresPeerStore beside =
                    PostgresPeerStore.open(server.url(server.freshSchema()), server.credentials())) {
                assertEquals(0, beside.read(StoreTransaction::counts).livePeers(), "another schema is another network");
            }
        }
        try (PostgresPeerStore second = open()) {
            assertEquals(1, second.read(StoreTransaction::counts).livePeers());
        }
    }

    @Test
    void aReaderWhoseConnectionIsCutFailsOneReadAndIsReplaced() throws Exception {
        try (PostgresPeerStore store = open()) {
            store.inTransaction(tx -> {
                tx.insertPeer(peer("p1").build());
                return null;
            });
            assertEquals(1, store.read(StoreTransaction::counts).livePeers());
            List<Integer> readers = readerBackends();
            assertEquals(1, readers.size(), "one read opened one reader");
            cut(readers);

            StoreException failed = assertThrows(StoreException.class, () -> store.read(StoreTransaction::counts));
            assertFalse(failed instanceof StoreLostException, "a reader is replaceable: " + failed);

            assertEquals(1, store.read(StoreTransaction::counts).livePeers());
            store.inTransaction(tx -> {
                tx.insertPeer(peer("p2").build());
                return null;
            });
            assertEquals(2, store.read(StoreTransaction::counts).livePeers());
        }
    }

    @Test
    void readsRefuseToWrite() {
        try (PostgresPeerStore store = open()) {
            assertThrows(
                    StoreException.class,
                    () -> store.read(tx -> {
                        tx.insertPeer(peer("p1").build());
                        return null;
                    }));
            assertEquals(new StoreCounts(0, 0, 0, 0, 0, 0), store.read(StoreTransaction::counts));
        }
    }

    @Test
    void aNulCharacterIsRefusedSayingSoAndItsTransactionRollsBack() {
        Peer p = peer("p1").build();
        try (PostgresPeerStore store = open()) {
            StoreException e = assertThrows(
                    StoreException.class,
                    () -> store.inTransaction(tx -> {
                        tx.insertPeer(p);
                        return tx.insertMessage(message(p, p, "nul \0 inside", at(1)));
                    }));
            assertTrue(e.getMessage().contains("U+0000"), e.getMessage());
            assertEquals(Optional.empty(), store.read(tx -> tx.findPeer(p.id())));
            assertThrows(
                    StoreException.class,
                    () -> store.inTransaction(tx -> {
                        tx.insertPeer(peer("p2").summary("a \0 summary").build());
                        return null;
                    }));
            assertEquals(new StoreCounts(0, 0, 0, 0, 0, 0), store.read(StoreTransaction::counts));
        }
    }

    @Test
    void lookupsByAValueWithANulCharacterFindNothingAndLeaveTheTransactionUsable() {
        Peer p = peer("p1").build();
        try (PostgresPeerStore store = open()) {
            store.inTransaction(tx -> {
                assertEquals(List.of(), tx.findPeersByName("a\0b"));
                assertEquals(Optional.empty(), tx.findPeerByResumeSecretHash("\0"));
                assertEquals(Optional.empty(), tx.findGonePeerBySession(1000, p.clientType(), "s\0"));
                assertEquals(Optional.empty(), tx.findGonePeerByAgent(1, 2, p.clientType(), "/w\0"));
                tx.insertPeer(p);
                return null;
            });
            assertEquals(Optional.of(p), store.read(tx -> tx.findPeer(p.id())));
        }
    }

    @Test
    void anUnreachableServerFailsTheOpenNamingTheDatabase() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/peers";
        StoreException e = assertThrows(StoreException.class, () -> PostgresPeerStore.open(url, server.credentials()));
        assertTrue(e.getMessage().contains(url), e.getMessage());
    }

    @Test
    void aUrlOfAnotherDatabaseKindIsRefused() {
        StoreException e = assertThrows(
                StoreException.class, () -> PostgresPeerStore.open("jdbc:sqlite:/tmp/peers.db", new Properties()));
        assertTrue(e.getMessage().contains("jdbc:postgresql:"), e.getMessage());
    }

    @Test
    void theDescriptionNamesDatabaseAndSchemaButNoParameter() {
        try (PostgresPeerStore store = open()) {
            String description = store.description();
            assertEquals(
                    server.url(schema).substring(0, server.url(schema).indexOf('?')) + " (schema " + schema
                            + ", broker default)",
                    description);
        }
    }

    @Test
    void aTransactionIsUnusableAfterItsCallAndInTransactionIsNotReentrant() {
        try (PostgresPeerStore store = open()) {
            StoreTransaction leaked = store.inTransaction(tx -> tx);
            assertThrows(IllegalStateException.class, leaked::livePeers);
            StoreTransaction leakedRead = store.read(tx -> tx);
            assertThrows(IllegalStateException.class, leakedRead::counts);
            assertThrows(IllegalStateException.class, () -> store.inTransaction(tx -> store.inTransaction(inner -> 1)));
            assertEquals(0, store.read(StoreTransaction::counts).livePeers(), "the store still works");
        }
    }

    @Test
    void aFailedStatementRollsBackAndTheNextTransactionRunsNormally() {
        // PostgreSQL aborts a transaction at its first failed statement; the store must not leave it so.
        Peer p = peer("p1").build();
        try (PostgresPeerStore store = open()) {
            store.inTransaction(tx -> {
                tx.insertPeer(p);
                return null;
            });
            assertThrows(
                    StoreException.class,
                    () -> store.inTransaction(tx -> {
                        tx.insertPeer(p);
                        return null;
                    }));
            assertInstanceOf(
                    Long.class,
                    store.inTransaction(tx ->
                            tx.insertMessage(message(p, p, "after", at(1))).id()));
            assertEquals(1, store.read(StoreTransaction::counts).pending());
        }
    }

    @Test
    void aStoreOpensFromAUrlWithThePasswordFromPgpassword() {
        PostgresUrl url =
                PostgresUrl.parse("postgresql://peers@127.0.0.1:" + server.port() + "/peers_test?schema=" + schema);
        try (PostgresPeerStore store = PostgresPeerStore.open(
                url, Map.of("PGPASSWORD", server.credentials().getProperty("password")))) {
            assertEquals(0, store.read(StoreTransaction::counts).livePeers());
            assertTrue(store.description().endsWith("(schema " + schema + ", broker default)"), store.description());
        }
        StoreException refused =
                assertThrows(StoreException.class, () -> PostgresPeerStore.open(url, Map.of("PGPASSWORD", "wrong")));
        assertTrue(refused.getMessage().contains("password authentication failed"), refused.getMessage());
    }

    @Test
    void withoutPgpasswordTheDriverReadsThePgpassFile(@TempDir Path dir) throws Exception {
        Path pgpass = dir.resolve("pgpass");
        Files.writeString(
                pgpass,
                "127.0.0.1:" + server.port() + ":peers_test:peers:"
                        + server.credentials().getProperty("password") + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        PostgresUrl url =
                PostgresUrl.parse("postgresql://peers@127.0.0.1:" + server.port() + "/peers_test?schema=" + schema);
        String before = System.getProperty(PGPASSFILE_PROPERTY);
        // The driver's stand-in for PGPASSFILE, which a test cannot set in its own environment.
        System.setProperty(PGPASSFILE_PROPERTY, pgpass.toString());
        try (PostgresPeerStore store = PostgresPeerStore.open(url, Map.of())) {
            assertEquals(0, store.read(StoreTransaction::counts).livePeers());
        } finally {
            if (before == null) {
                System.clearProperty(PGPASSFILE_PROPERTY);
            } else {
                System.setProperty(PGPASSFILE_PROPERTY, before);
            }
        }
    }

    private PostgresPeerStore open() {
        Properties properties = server.credentials();
        properties.setProperty("ApplicationName", application);
        return PostgresPeerStore.open(server.url(schema), properties);
    }

    /** The backend of this test's writer: the one holding an advisory lock. */
    private List<Integer> writerBackends() throws SQLException {
        return ints("SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = '" + application + "'"
                + " AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory')");
    }

    private List<Integer> readerBackends() throws SQLException {
        return ints("SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = '" + application + "'"
                + " AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory')");
    }

    private void cut(List<Integer> backends) throws SQLException {
        assertFalse(backends.isEmpty(), "no backend to cut");
        for (int pid : backends) {
            assertEquals(List.of(1), ints("SELECT 1 WHERE pg_terminate_backend(" + pid + ", 10000)"));
        }
    }

    private List<Integer> ints(String sql) throws SQLException {
        List<Integer> values = new ArrayList<>();
        try (Connection c = server.connect("peers_test");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getInt(1));
            }
        }
        return values;
    }
}
