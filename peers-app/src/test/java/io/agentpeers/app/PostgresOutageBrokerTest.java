package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.postgres.PostgresServer;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker over PostgreSQL whose server is stopped ({@code pg_ctl stop -m fast}) and started again while
 * clients stay connected on its socket: sends come back {@code store_unavailable} over the wire, ping still
 * answers, and once the server is back the same broker (no restart) serves again with every acknowledged
 * message there once.
 */
@Tag("postgres")
class PostgresOutageBrokerTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path home;

    @Test
    void clientsOfABrokerWhoseDatabaseStopsGetStoreUnavailableThenServiceAgainFromTheSameBroker() throws Exception {
        PostgresServer server = PostgresServer.startPrivate();
        try {
            Map<String, String> env = env(server, Map.of());
            PeersPaths paths = PeersPaths.from(env, home);
            try (PeersBroker broker = BrokerConfig.from(paths, env).start();
                    PeersClient alice = client(paths);
                    PeersClient bob = client(paths)) {
                alice.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("alice"));
                bob.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("bob"));
                List<Long> acknowledged = new ArrayList<>();
                acknowledged.add(alice.send("bob", "before").message().id());

                server.stopFast();
                StoreUnavailableException refused = awaitRefusal(alice);
                assertEquals("store_unavailable", refused.code(), "typed over the wire: " + refused);
                assertTrue(refused.getMessage().contains("cannot reach its database"), refused.getMessage());
                alice.ping(); // needs no store
                assertThrows(StoreUnavailableException.class, () -> alice.send("bob", "during"));
                assertTrue(broker.failure().isEmpty(), "the broker keeps running");

                server.startAgain();
                acknowledged.add(awaitSend(alice, "after"));
                acknowledged.add(alice.send("bob", "after, again").message().id());
                assertTrue(broker.failure().isEmpty(), "the same broker serves again");

                List<Long> pending =
                        bob.pending(50).stream().map(e -> e.message().id()).toList();
                assertEquals(acknowledged, pending, "every acknowledged message once, and only those");
                assertEquals(
                        List.of("before", "after", "after, again"),
                        bob.pending(50).stream()
                                .map(Envelope::message)
                                .map(m -> m.text())
                                .toList());
            }
        } finally {
            server.close();
        }
    }

    @Test
    void aBrokerWhoseDatabaseStaysAwayLongerThanItsLeaseStopsSayingWhy() throws Exception {
        PostgresServer server = PostgresServer.startPrivate();
        try {
            Map<String, String> env = env(server, Map.of("PEERS_LEASE_MS", "1500"));
            PeersPaths paths = PeersPaths.from(env, home);
            try (PeersBroker broker = BrokerConfig.from(paths, env).start();
                    PeersClient alice = client(paths)) {
                alice.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("alice"));
                server.stopFast();
                // No request needed: the store tells the broker when the lease runs out.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                while (broker.failure().isEmpty() && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                Throwable failure = broker.failure().orElseThrow(() -> new AssertionError("the broker did not stop"));
                String why = String.valueOf(failure.getMessage()) + " / " + failure.getCause();
                assertTrue(why.contains("longer than its lease"), why);
            }
        } finally {
            server.close();
        }
    }

    /** This test's home on a fresh schema of {@code server}, and {@code more}. */
    private Map<String, String> env(PostgresServer server, Map<String, String> more) {
        String url = "postgresql://" + server.user() + "@127.0.0.1:" + server.port() + "/" + server.database()
                + "?schema=" + server.freshSchema();
        Map<String, String> env = new HashMap<>(more);
        env.putAll(Map.of("PEERS_HOME", home.toString(), "PEERS_DB", url, "PGPASSWORD", server.password()));
        return env;
    }

    private static StoreUnavailableException awaitRefusal(PeersClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            try {
                client.send("bob", "during");
                throw new AssertionError("a send was acknowledged while the database was stopped");
            } catch (StoreUnavailableException e) {
                return e;
            }
        }
        throw new AssertionError("no store_unavailable within " + WAIT_SECONDS + " s");
    }

    private static long awaitSend(PeersClient client, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            try {
                return client.send("bob", text).message().id();
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("still unavailable " + WAIT_SECONDS + " s after the restart", e);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    private static PeersClient client(PeersPaths paths) {
        return PeersClient.connect(
                new UnixSocketConnector(paths.socket()),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
    }
}
