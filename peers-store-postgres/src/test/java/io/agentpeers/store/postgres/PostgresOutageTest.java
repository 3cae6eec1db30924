package io.agentpeers.store.postgres;

import static io.agentpeers.testkit.StoreContractFixtures.at;
import static io.agentpeers.testkit.StoreContractFixtures.message;
import static io.agentpeers.testkit.StoreContractFixtures.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.CommitInDoubtException;
import io.agentpeers.core.Message;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersEvent;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Registration;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.testkit.ProcessTable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A broker whose PostgreSQL server goes away and comes back: refusals as {@code store_unavailable} while it
 * is gone, nothing acknowledged that was not committed, service again without a restart, and a stop once
 * the outage outlasts the lease. Real servers: one of the test's own that it stops and starts, and the
 * shared one whose backends it terminates.
 */
@Tag("postgres")
class PostgresOutageTest {
    private static final long WAIT_SECONDS = 30;

    @Test
    void aStoppedServerGetsSendsRefusedAsUnavailableAndTheBrokerServesAgainOnceItIsBack() throws Exception {
        PostgresServer server = PostgresServer.startPrivate();
        try {
            String schema = server.freshSchema();
            try (PostgresPeerStore store = PostgresPeerStore.open(
                            server.url(schema), server.credentials(), PostgresBroker.of("broker-a", "host-a"));
                    PeerNetwork network = network(store, new CopyOnWriteArrayList<>())) {
                network.start();
                PeerId alice = join(network, "alice");
                PeerId bob = join(network, "bob");
                Registration carol = network.register(
                        null, RegisterRequest.of("/work", ClientType.GENERIC).withName("carol"));
                List<Long> acknowledged = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    acknowledged.add(network.send(alice, "bob", "before " + i, null)
                            .message()
                            .id());
                }

                server.stopFast();
                StoreUnavailableException refused = awaitRefusal(() -> network.send(alice, "bob", "during", null));
                assertTrue(refused.getMessage().contains("cannot reach its database"), refused.getMessage());
                assertTrue(refused.getMessage().contains(":" + server.port() + "/"), "names the database: " + refused);
                assertEquals("store_unavailable", refused.code());
                for (int i = 0; i < 3; i++) {
                    assertThrows(
                            StoreUnavailableException.class,
                            () -> network.send(alice, "bob", "during", null),
                            "every send of the outage is refused");
                }
                assertThrows(StoreUnavailableException.class, () -> network.history(bob, "alice", 50));
                assertTrue(store.unavailableSince().isPresent());
                // carol's connection closes meanwhile: her departure cannot be written yet.
                assertThrows(
                        StoreUnavailableException.class,
                        () -> network.connectionClosed(carol.peer().id()));

                server.startAgain();
                acknowledged.add(awaitSuccess(() -> network.send(alice, "bob", "after", null))
                        .message()
                        .id());
                assertTrue(store.unavailableSince().isEmpty());
                acknowledged.add(network.send(bob, "alice", "after, back", null)
                        .message()
                        .id());
                Registration resumed = network.register(
                        null,
                        RegisterRequest.of("/work", ClientType.GENERIC)
                                .withName("carol")
                                .withResumeSecret(carol.resumeSecret()));
                assertEquals(carol.peer().id(), resumed.peer().id(), "the owed departure was written: she resumes");

                List<String> texts = texts(server, schema);
                assertEquals(List.of("before 0", "before 1", "before 2", "after", "after, back"), texts);
                assertEquals(acknowledged, ids(server, schema), "every acknowledged message once, nothing else");
            }
        } finally {
            server.close();
        }
    }

    @Test
    void anOutageLongerThanTheLeaseLosesTheStoreAndTellsTheBroker() throws Exception {
        PostgresServer server = PostgresServer.startPrivate();
        try {
            String schema = server.freshSchema();
            PostgresBroker quick = PostgresBroker.of("broker-a", "host-a").withLease(Duration.ofMillis(1_500));
            List<StoreLostException> heard = new CopyOnWriteArrayList<>();
            try (PostgresPeerStore store = PostgresPeerStore.open(server.url(schema), server.credentials(), quick);
                    PeerNetwork network = network(store, heard)) {
                network.start();
                PeerId alice = join(network, "alice");
                join(network, "bob");
                long kept = network.send(alice, "bob", "kept", null).message().id();

                server.stopFast();
                awaitRefusal(() -> network.send(alice, "bob", "during", null));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                while (heard.isEmpty() && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                assertEquals(1, heard.size(), "the broker hears of the loss once, without a request");
                assertTrue(
                        heard.get(0).getMessage().contains("longer than its lease"),
                        heard.get(0).getMessage());

                server.startAgain();
                StoreException after =
                        assertThrows(StoreException.class, () -> network.send(alice, "bob", "after", null));
                assertInstanceOf(StoreLostException.class, after, "lost stays lost: " + after);
                assertEquals(List.of(kept), ids(server, schema));
            }
        } finally {
            server.close();
        }
    }

    @Test
    void aTerminatedWriterIsRefusedAsUnavailableThenReconnectsAndTakesItsLockAgain() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String schema = server.freshSchema();
        String application = "peers-outage-" + schema;
        Peer kept = peer("kept").build();
        try (PostgresPeerStore store = open(server, schema, application, server.port())) {
            store.inTransaction(tx -> {
                tx.insertPeer(kept);
                return null;
            });
            terminate(
                    server,
                    "SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = '" + application
                            + "' AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory')");

            StoreUnavailableException refused = assertThrows(
                    StoreUnavailableException.class,
                    () -> store.inTransaction(tx -> tx.insertMessage(message(kept, kept, "x", at(1)))));
            assertFalse(refused instanceof CommitInDoubtException, "it broke before any COMMIT: " + refused);
            Message sent =
                    awaitSuccess(() -> store.inTransaction(tx -> tx.insertMessage(message(kept, kept, "y", at(2)))));
            assertEquals(List.of(sent.id()), ids(server, schema), "the refused write left nothing");
            assertThrows(
                    StoreException.class,
                    () -> open(server, schema, application, server.port()),
                    "the reconnected store holds its broker id's lock again");
        }
    }

    @Test
    void mailAnotherBrokerCommittedWhileThisOneWasCutOffIsPushedOnceItIsBack() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String schema = server.freshSchema();
        String applicationA = "peers-outage-a-" + schema;
        List<PeersEvent> heardByA = new CopyOnWriteArrayList<>();
        Properties propertiesA = server.credentials();
        propertiesA.setProperty("ApplicationName", applicationA);
        PostgresBroker a = PostgresBroker.of("broker-a", "host-a").withPoll(Duration.ofMillis(200));
        try (PostgresPeerStore storeA = PostgresPeerStore.open(server.url(schema), propertiesA, a);
                PostgresPeerStore storeB = PostgresPeerStore.open(
                        server.url(schema), server.credentials(), PostgresBroker.of("broker-b", "host-b"));
                PeerNetwork networkA = new PeerNetwork(
                        storeA, new ProcessTable(), InstantSource.system(), PeersLimits.defaults(), heardByA::addAll);
                PeerNetwork networkB = network(storeB, new CopyOnWriteArrayList<>())) {
            networkA.start();
            networkB.start();
            PeerId alice = join(networkA, "alice");
            PeerId bob = join(networkB, "bob");

            terminate(server, "SELECT pid FROM pg_stat_activity WHERE application_name = '" + applicationA + "'");
            awaitRefusal(() -> networkA.send(alice, "bob", "from a, cut off", null));
            long sent = networkB.send(bob, "alice", "while a was cut off", null)
                    .message()
                    .id();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (pushed(heardByA, sent) == 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertEquals(1, pushed(heardByA, sent), "a hands on b's message once it is back");
            awaitSuccess(() -> networkA.send(alice, "bob", "from a, back", null));
            TimeUnit.MILLISECONDS.sleep(600); // three more polls: never handed on twice
            assertEquals(1, pushed(heardByA, sent));
            assertEquals(List.of("while a was cut off", "from a, back"), texts(server, schema));
        }
    }

    private static long pushed(List<PeersEvent> events, long id) {
        return events.stream()
                .filter(e -> e instanceof PeersEvent.MessageSent sent
                        && sent.message().id() == id)
                .count();
    }

    @Test
    void aCommitWhoseAnswerIsLostIsAcknowledgedOnlyOnceTheReconnectionFindsItCommitted() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String schema = server.freshSchema();
        Peer kept = peer("kept").build();
        try (ServerRelay proxy = new ServerRelay(server.port());
                PostgresPeerStore store = open(server, schema, "peers-doubt-" + schema, proxy.port())) {
            store.inTransaction(tx -> {
                tx.insertPeer(kept);
                return null;
            });
            proxy.armCutAfterNextCommit();
            CommitInDoubtException doubt = assertThrows(
                    CommitInDoubtException.class,
                    () -> store.inTransaction(tx -> tx.insertMessage(message(kept, kept, "in doubt", at(1)))));
            assertTrue(proxy.didCut(), "the server's answer to the COMMIT was cut");
            CompletableFuture<Boolean> outcome = doubt.outcome().toCompletableFuture();
            assertTrue(outcome.get(WAIT_SECONDS, TimeUnit.SECONDS), "the reconnection finds it committed");
            assertEquals(List.of("in doubt"), texts(server, schema), "committed once, never twice");
            awaitSuccess(() -> store.read(StoreTransaction::counts));
        }
    }

    @Test
    void aCommitBrokenBeforeTheServerCommittedIsFoundNotCommitted() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String schema = server.freshSchema();
        String application = "peers-abort-" + schema;
        Peer kept = peer("kept").build();
        try (PostgresPeerStore store = open(server, schema, application, server.port())) {
            store.inTransaction(tx -> {
                tx.insertPeer(kept);
                return null;
            });
            // A deferred trigger runs at COMMIT and waits there: the backend is ended in the middle of it.
            execute(
                    server,
                    schema,
                    "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS"
                            + " $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$");
            execute(
                    server,
                    schema,
                    "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON messages"
                            + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()");
            CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                try {
                    String sleeping = "SELECT pid FROM pg_stat_activity WHERE application_name = '" + application
                            + "' AND wait_event = 'PgSleep'";
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                    while (ints(server, sleeping).isEmpty() && System.nanoTime() < deadline) {
                        TimeUnit.MILLISECONDS.sleep(20);
                    }
                    terminate(server, sleeping);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CommitInDoubtException doubt = assertThrows(
                    CommitInDoubtException.class,
                    () -> store.inTransaction(tx -> tx.insertMessage(message(kept, kept, "aborted", at(1)))));
            killer.get(WAIT_SECONDS, TimeUnit.SECONDS);
            execute(server, schema, "DROP TRIGGER slow_commit ON messages");
            assertFalse(
                    doubt.outcome().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS),
                    "the reconnection finds it not committed");
            assertEquals(List.of(), texts(server, schema));
        }
    }

    // ---- helpers

    private static PeerNetwork network(PostgresPeerStore store, List<StoreLostException> heard) {
        return new PeerNetwork(
                store, new ProcessTable(), InstantSource.system(), PeersLimits.defaults(), events -> {}, heard::add);
    }

    private static PeerId join(PeerNetwork network, String name) {
        return network.register(
                        null, RegisterRequest.of("/work", ClientType.GENERIC).withName(name))
                .peer()
                .id();
    }

    private static PostgresPeerStore open(PostgresServer server, String schema, String application, int port) {
        Properties properties = server.credentials();
        properties.setProperty("ApplicationName", application);
        // Every statement parsed by its text, so that the proxy sees a COMMIT as the word (never a named statement).
        properties.setProperty("prepareThreshold", "0");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + server.database() + "?currentSchema=" + schema;
        // A lease far longer than the test: no heartbeat comes between a cut and the write that meets it.
        return PostgresPeerStore.open(
                url, properties, PostgresBroker.of("broker-a", "host-a").withLease(Duration.ofMinutes(5)));
    }

    private static StoreUnavailableException awaitRefusal(Supplier<?> call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            try {
                call.get();
            } catch (StoreUnavailableException e) {
                return e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no store_unavailable within " + WAIT_SECONDS + " s");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static <T> T awaitSuccess(Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            try {
                return call.get();
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("still unavailable after " + WAIT_SECONDS + " s", e);
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static List<String> texts(PostgresServer server, String schema) throws SQLException {
        List<String> texts = new ArrayList<>();
        try (Connection c = server.connect(server.database());
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try (ResultSet r = s.executeQuery("SELECT text FROM messages ORDER BY id")) {
                while (r.next()) {
                    texts.add(r.getString(1));
                }
            }
        }
        return texts;
    }

    private static List<Long> ids(PostgresServer server, String schema) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = server.connect(server.database());
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try (ResultSet r = s.executeQuery("SELECT id FROM messages ORDER BY id")) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
        }
        return ids;
    }

    private static void execute(PostgresServer server, String schema, String sql) throws SQLException {
        try (Connection c = server.connect(server.database());
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            s.execute(sql);
        }
    }

    private static List<Integer> ints(PostgresServer server, String sql) throws SQLException {
        List<Integer> values = new ArrayList<>();
        try (Connection c = server.connect(server.database());
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                values.add(r.getInt(1));
            }
        }
        return values;
    }

    private static void terminate(PostgresServer server, String pidsSql) throws SQLException {
        List<Integer> pids = ints(server, pidsSql);
        assertFalse(pids.isEmpty(), "no backend to terminate: " + pidsSql);
        for (int pid : pids) {
            assertEquals(List.of(1), ints(server, "SELECT 1 WHERE pg_terminate_backend(" + pid + ", 10000)"));
        }
    }
}
