package io.agentpeers.app;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClaimLimits;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.StoreException;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.store.postgres.PostgresBroker;
import io.agentpeers.store.postgres.PostgresPeerStore;
import io.agentpeers.store.postgres.PostgresUrl;
import io.agentpeers.store.sqlite.SqlitePeerStore;
import io.agentpeers.store.sqlite.SqliteSync;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.tcp.TokenFile;
import io.agentpeers.transport.tcp.tls.TeamAuthority;
import io.agentpeers.transport.tcp.tls.TlsContexts;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a broker process runs: where it lives, and the knobs a user or a test turns. From the
 * environment ({@code PEERS_HOME}, {@code PEERS_SOCKET}, {@code PEERS_DB}, {@code PEERS_TCP}, {@code PEERS_TLS},
 * {@code PEERS_RATE} as {@code PER_MINUTE/BURST}, {@code PEERS_IDLE_TIMEOUT} in seconds,
 * {@code PEERS_SWEEP_MS}, {@code PEERS_TERMINATE_ORPHANS}, {@code PEERS_CLAIMS} as {@code PER_CALL/PER_PEER},
 * {@code PEERS_EXCHANGES} as {@code MAX/MINUTES} or {@code off} (the ping-pong guard), {@code PEERS_SYNC} as {@code full} or
 * {@code normal}: {@link SqliteSync}) or from the CLI's flags; {@code environment} is the rest of it (a
 * PostgreSQL store's {@code PGPASSWORD}; and for brokers sharing one PostgreSQL database, {@code PEERS_LEASE_MS}
 * (15,000: how long a silent broker's peers stay live), {@code PEERS_POLL_MS} (2,000: the fallback poll for
 * other brokers' mail) and {@code PEERS_HOST} (the host name others see; the system's by default)).
 */
public record BrokerConfig(
        PeersPaths paths,
        PeersLimits limits,
        Duration sweepInterval,
        Duration idleTimeout,
        SqliteSync sync,
        Map<String, String> environment) {

    public static BrokerConfig fromEnvironment() {
        return from(PeersPaths.fromEnvironment(), System.getenv());
    }

    public static BrokerConfig from(PeersPaths paths, Map<String, String> env) {
        PeersLimits limits = PeersLimits.defaults();
        String rate = env.get("PEERS_RATE");
        if (rate != null && !rate.isBlank()) {
            String[] parts = rate.trim().split("/");
            try {
                limits = limits.withRate(
                        Integer.parseInt(parts[0]), Integer.parseInt(parts.length > 1 ? parts[1] : parts[0]));
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException(
                        "PEERS_RATE must look like 600/200 (per minute/burst), not '" + rate + "'");
            }
        }
        limits = limits.withClaims(claimLimits(env.get("PEERS_CLAIMS"), limits.claims()));
        String exchanges = env.get("PEERS_EXCHANGES");
        if ("off".equalsIgnoreCase(exchanges == null ? null : exchanges.strip())) {
            limits = limits.withExchanges(0, limits.exchangeWindow());
        } else if (exchanges != null && !exchanges.isBlank()) {
            String[] parts = exchanges.trim().split("/");
            try {
                limits = limits.withExchanges(
                        Integer.parseInt(parts[0]),
                        Duration.ofMinutes(Long.parseLong(parts.length > 1 ? parts[1] : "10")));
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException(
                        "PEERS_EXCHANGES must look like 20/10 (exchanges/minutes) or off, not '" + exchanges + "'");
            }
        }
        if ("true".equalsIgnoreCase(env.get("PEERS_TERMINATE_ORPHANS"))) {
            limits = limits.withTerminateOrphans(true);
        }
        Duration sweep = Duration.ofMillis(longOr(env, "PEERS_SWEEP_MS", 5_000));
        long idle = longOr(env, "PEERS_IDLE_TIMEOUT", 0);
        SqliteSync sync = SqliteSync.parse(env.get("PEERS_SYNC"));
        return new BrokerConfig(
                paths, limits, sweep, idle > 0 ? Duration.ofSeconds(idle) : null, sync, Map.copyOf(env));
    }

    /** {@code PEERS_CLAIMS} as {@code PER_CALL/PER_PEER} (paths one claim call names, claims one peer holds). */
    static ClaimLimits claimLimits(String value, ClaimLimits defaults) {
        if (value == null || value.isBlank()) {
            return defaults;
        }
        String[] parts = value.trim().split("/");
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            return new ClaimLimits(
                    Integer.parseInt(parts[1].trim()),
                    Integer.parseInt(parts[0].trim()),
                    defaults.defaultTtl(),
                    defaults.maxTtl(),
                    defaults.maxNoteBytes());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(
                    "PEERS_CLAIMS must look like 16/32 (paths per call/claims per peer), not '" + value + "'");
        }
    }

    private static long longOr(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    /**
     * Starts the broker this configuration describes: SQLite at {@code PEERS_DB}, the Unix socket, and TCP
     * with the token file when {@code PEERS_TCP} is set. A stale socket file (nothing answers) is removed
     * under the broker's lock; a live one means another broker runs. The home and every file the broker
     * keeps must be private to this user ({@link PrivateFiles}), else it refuses with one sentence that
     * says how to fix it ({@link io.agentpeers.protocol.NotPrivateException}).
     */
    public PeersBroker start() {
        PeersBroker.Builder builder = PeersBroker.builder()
                .listen(UnixSocketListener.replacingStaleFile(paths.socket()))
                .lockFile(paths.lockFile())
                .limits(limits)
                .sweepInterval(sweepInterval)
                .idleTimeout(idleTimeout);
        if (paths.tcp() != null) {
            builder.listen(new TcpListener(TcpAddress.parse(paths.tcp())));
        }
        if (paths.tls() != null) {
            builder.listen(tlsListener(TcpAddress.parse(paths.tls())));
        }
        if (paths.tcp() != null || paths.tls() != null) {
            builder.token(new TokenFile(paths.tokenFile()).readOrCreate(), paths.tokenFile());
        }
        if (paths.databaseUrl() != null) {
            // The store holds an advisory lock on its schema and this home's broker id: a second broker of the
            // same id is refused there, brokers of other homes (other machines) share the schema.
            PostgresUrl url = PostgresUrl.parse(paths.databaseUrl());
            postgresBroker("check"); // a bad PEERS_LEASE_MS or PEERS_POLL_MS is refused before anything starts
            // The password from PGPASSWORD or ~/.pgpass (the driver's), never from the URL or a command line.
            return builder.ownedStore(() -> PostgresPeerStore.open(
                            url,
                            environment,
                            postgresBroker(
                                    BrokerIdFile.readOrCreate(paths.home().toAbsolutePath()))))
                    .start();
        }
        // Opened under the broker's locks: a second broker of this home, or of another home given the same
        // --db, leaves the database alone.
        Path database = paths.database().toAbsolutePath();
        return builder.databaseLock(database)
                .ownedStore(() -> SqlitePeerStore.open(privateDatabase(), sync))
                .start();
    }

    /** This broker among those sharing a PostgreSQL database: its id, host, lease and poll period. */
    PostgresBroker postgresBroker(String id) {
        String host = environment.get("PEERS_HOST");
        return PostgresBroker.of(id, host == null || host.isBlank() ? PostgresBroker.localHost() : host.strip())
                .withLease(Duration.ofMillis(longOr(environment, "PEERS_LEASE_MS", 15_000)))
                .withPoll(Duration.ofMillis(longOr(environment, "PEERS_POLL_MS", 2_000)))
                .withNameGrace(limits.nameGrace());
    }

    /**
     * The TLS listener at {@code address}, with a server certificate for its host that the team's authority
     * (PEERS_HOME/tls, from {@code peers tls init}) issues now and that lives in memory only.
     */
    private TcpListener tlsListener(TcpAddress address) {
        TeamAuthority authority = TeamAuthority.load(TeamAuthority.folder(paths.home()));
        TeamAuthority.Issued server = authority.issueServer(address.host());
        return TcpListener.tls(address, TlsContexts.of(server.certificate(), server.key(), authority.certificate()));
    }

    /**
     * The database file, made 0600 or checked, with SQLite's side files and a folder of its own held to
     * {@link PrivateFiles}' rule: SQLite opens them by path and would follow a link planted there.
     */
    private Path privateDatabase() {
        Path database = paths.database().toAbsolutePath();
        try {
            Path folder = database.getParent();
            if (!folder.equals(paths.home().toAbsolutePath())) {
                PrivateFiles.requireFolder(folder, "PEERS_DB");
            }
            PrivateFiles.createFile(database);
            for (String suffix : List.of("-wal", "-shm", "-journal")) {
                Path side = database.resolveSibling(database.getFileName() + suffix);
                if (Files.exists(side, LinkOption.NOFOLLOW_LINKS)) {
                    PrivateFiles.open(side, StandardOpenOption.READ).close();
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot create the database " + database + ": " + e.getMessage(), e);
        }
        return database;
    }
}
