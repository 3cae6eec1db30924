package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.postgres.PostgresServer;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose {@code PEERS_DB} is a PostgreSQL URL keeps its state there: the mail of a peer that left
 * outlives the broker, a broker of another home (another broker id) shares the schema, and {@code stats} names
 * the store.
 * Against the real server of {@link PostgresServer}; the password comes from {@code PGPASSWORD}.
 */
@Tag("postgres")
class PostgresBrokerTest {
    @TempDir
    Path home;

    @Test
    void aBrokerOnPostgresKeepsTheMailOfAPeerThatLeftAcrossARestart() {
        PostgresServer server = PostgresServer.shared();
        String schema = server.freshSchema();
        String url = "postgresql://" + server.user() + "@127.0.0.1:" + server.port() + "/" + server.database()
                + "?schema=" + schema;
        Map<String, String> env =
                Map.of("PEERS_HOME", home.toString(), "PEERS_DB", url, "PGPASSWORD", server.password());
        PeersPaths paths = PeersPaths.from(env, home);
        assertEquals(url, paths.databaseUrl());

        String secret;
        long sent;
        try (PeersBroker broker = BrokerConfig.from(paths, env).start();
                PeersClient alice = client(paths);
                PeersClient bob = client(paths)) {
            alice.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("alice"));
            bob.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("bob"));
            secret = bob.resumeSecret();
            bob.close();
            sent = alice.send("bob", "kept in PostgreSQL").message().id();
            String database = alice.stats().database();
            assertTrue(database.contains("127.0.0.1:" + server.port()) && database.contains(schema), database);
            assertFalse(database.contains(server.password()), "no password in what the broker shows");

            // Another home, the same schema: another broker id, so a second broker on the database, beside this
            // one (SharedPostgresBrokersTest refuses a second broker of the same id).
            Path otherHome = home.resolve("other");
            Map<String, String> otherEnv =
                    Map.of("PEERS_HOME", otherHome.toString(), "PEERS_DB", url, "PGPASSWORD", server.password());
            try (PeersBroker other = BrokerConfig.from(PeersPaths.from(otherEnv, otherHome), otherEnv)
                    .start()) {
                assertTrue(other.failure().isEmpty());
            }
        }

        try (PeersBroker again = BrokerConfig.from(paths, env).start();
                PeersClient bob = client(paths)) {
            bob.register(RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(secret));
            assertEquals("bob", bob.self().name());
            assertEquals(sent, bob.pending(10).get(0).message().id());
            assertEquals("kept in PostgreSQL", bob.pending(10).get(0).message().text());
        }
    }

    private static PeersClient client(PeersPaths paths) {
        return PeersClient.connect(
                new UnixSocketConnector(paths.socket()),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
    }
}
