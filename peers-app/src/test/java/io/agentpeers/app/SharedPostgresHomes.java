package io.agentpeers.app;

import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.postgres.PostgresServer;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Homes of in-process brokers that share one schema of the test PostgreSQL server, for the tests of several
 * brokers: each home (a folder of {@code temp} by name) is a broker id, a socket and a host name
 * ({@code host-NAME}); a short lease and poll keep the tests quick. Also plain SQL on the schema, to look at
 * or set up rows as another broker would.
 */
final class SharedPostgresHomes {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final Path temp;
    private final PostgresServer server;
    private final String schema;

    SharedPostgresHomes(Path temp, PostgresServer server, String schema) {
        this.temp = temp;
        this.server = server;
        this.schema = schema;
    }

    /** The broker of home {@code name}, with {@code extra} over the environment (a longer lease, say). */
    BrokerConfig broker(String name, Map<String, String> extra) {
        Path home = temp.resolve(name);
        Map<String, String> env = env(home);
        env.putAll(extra);
        return BrokerConfig.from(PeersPaths.from(env, home), env);
    }

    BrokerConfig broker(String name) {
        return broker(name, Map.of());
    }

    /** The database address of every home, through {@code port} on loopback instead of the server's own. */
    String databaseVia(int port) {
        return "postgresql://" + server.user() + "@127.0.0.1:" + port + "/" + server.database() + "?schema=" + schema;
    }

    PeersPaths paths(String name) {
        Path home = temp.resolve(name);
        return PeersPaths.from(env(home), home);
    }

    /** A client of home {@code name}'s broker, without reconnecting. */
    PeersClient client(String name) {
        return PeersClient.connect(
                new UnixSocketConnector(paths(name).socket()),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
    }

    String brokerId(String name) throws IOException {
        return Files.readString(temp.resolve(name).resolve(BrokerIdFile.NAME)).strip();
    }

    /** A private home {@code name} whose broker id is {@code id} (a copied home, or a broker that comes back). */
    void homeWithBrokerId(String name, String id) throws IOException {
        Path home = Files.createDirectories(
                temp.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(home.resolve(BrokerIdFile.NAME), id + "\n");
        Files.setPosixFilePermissions(home.resolve(BrokerIdFile.NAME), PosixFilePermissions.fromString("rw-------"));
    }

    private Map<String, String> env(Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("PEERS_HOME", home.toString());
        env.put("PEERS_DB", databaseVia(server.port()));
        env.put("PGPASSWORD", server.password());
        env.put("PEERS_LEASE_MS", "1500");
        env.put("PEERS_POLL_MS", "500");
        env.put("PEERS_HOST", "host-" + home.getFileName());
        return env;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + server.database() + "?currentSchema=" + schema,
                server.user(),
                server.password());
    }

    void execute(String sql) {
        server.execute(schema, sql);
    }

    /** The first column of every row, as text. */
    List<String> strings(String sql) {
        return server.strings(schema, sql);
    }

    static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
