package io.agentpeers.protocol;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a broker and its clients find each other: {@code PEERS_HOME} (default {@code ~/.peers}) and
 * the files in it, each overridable ({@code PEERS_SOCKET}, {@code PEERS_DB}); {@code PEERS_TCP}
 * names a TCP listen address (off when unset) and {@code PEERS_TCP_URL}/{@code PEERS_TOKEN} let a
 * client connect over TCP. A {@code PEERS_DB} of the form {@code postgresql://…} (or {@code postgres://…})
 * names a PostgreSQL database instead of a SQLite file: then {@code databaseUrl} holds it.
 *
 * @param databaseUrl the PostgreSQL database a broker keeps its state in, or null for the SQLite file
 *                    {@code database}
 * @param tls         the address a broker listens on with TLS ({@code PEERS_TLS}, {@code --tls}), or null
 * @param tlsClient   the certificate, key and CA a client presents for a {@code tls://} PEERS_TCP_URL, or null
 */
public record PeersPaths(
        Path home,
        Path socket,
        Path database,
        String tcp,
        String tcpUrl,
        String token,
        String databaseUrl,
        String tls,
        TlsClientFiles tlsClient) {

    /** From the process environment. */
    public static PeersPaths fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** From the given environment map and home folder (tests pass their own). */
    public static PeersPaths from(Map<String, String> env, Path userHome) {
        Path home = pathOr(env.get("PEERS_HOME"), userHome.resolve(".peers"));
        String db = blankToNull(env.get("PEERS_DB"));
        boolean postgres = isDatabaseUrl(db);
        return new PeersPaths(
                home,
                pathOr(env.get("PEERS_SOCKET"), home.resolve("peers.sock")),
                postgres ? home.resolve("peers.db") : pathOr(db, home.resolve("peers.db")),
                blankToNull(env.get("PEERS_TCP")),
                blankToNull(env.get("PEERS_TCP_URL")),
                blankToNull(env.get("PEERS_TOKEN")),
                postgres ? db.strip() : null,
                blankToNull(env.get("PEERS_TLS")),
                TlsClientFiles.from(env));
    }

    /** Under a given home with the default file names (tests, demos). */
    public static PeersPaths under(Path home) {
        return new PeersPaths(
                home, home.resolve("peers.sock"), home.resolve("peers.db"), null, null, null, null, null, null);
    }

    /** These paths with another socket file (what {@code PEERS_SOCKET} sets); the others stay. */
    public PeersPaths withSocket(Path path) {
        return new PeersPaths(home, path, database, tcp, tcpUrl, token, databaseUrl, tls, tlsClient);
    }

    /** These paths with another database file (what {@code PEERS_DB} sets); the others stay. */
    public PeersPaths withDatabase(Path path) {
        return new PeersPaths(home, socket, path, tcp, tcpUrl, token, null, tls, tlsClient);
    }

    /**
     * These paths with the database {@code value} names, as {@code PEERS_DB} or {@code --db} gives it: a
     * PostgreSQL URL ({@link #isDatabaseUrl}) or else a SQLite file.
     */
    public PeersPaths withDatabase(String value) {
        return isDatabaseUrl(value)
                ? new PeersPaths(home, socket, database, tcp, tcpUrl, token, value.strip(), tls, tlsClient)
                : withDatabase(Path.of(value).toAbsolutePath());
    }

    /** Whether {@code value} names a PostgreSQL database ({@code postgresql://…} or {@code postgres://…}). */
    public static boolean isDatabaseUrl(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip();
        return v.startsWith("postgresql://") || v.startsWith("postgres://");
    }

    /** What {@code PEERS_DB} says: the PostgreSQL URL, or the SQLite file. */
    public String databaseSetting() {
        return databaseUrl != null ? databaseUrl : database.toString();
    }

    /**
     * These paths with the TCP address a broker listens on, as {@code PEERS_TCP} gives it ({@code null}:
     * no TCP). Taken as given: unlike {@link #from}, a blank value is not read as unset.
     */
    public PeersPaths withTcp(String address) {
        return new PeersPaths(home, socket, database, address, tcpUrl, token, databaseUrl, tls, tlsClient);
    }

    /**
     * These paths with the broker a client reaches over TCP and the token it presents, as
     * {@code PEERS_TCP_URL} and {@code PEERS_TOKEN} give them; a {@code null} url means the Unix socket.
     */
    public PeersPaths withTcpUrl(String url, String secret) {
        return new PeersPaths(home, socket, database, tcp, url, secret, databaseUrl, tls, tlsClient);
    }

    /** These paths with the address a broker listens on with TLS ({@code PEERS_TLS}, {@code --tls}). */
    public PeersPaths withTls(String address) {
        return new PeersPaths(home, socket, database, tcp, tcpUrl, token, databaseUrl, address, tlsClient);
    }

    /** These paths with the files a {@code tls://} client presents. */
    public PeersPaths withTlsClient(TlsClientFiles files) {
        return new PeersPaths(home, socket, database, tcp, tcpUrl, token, databaseUrl, tls, files);
    }

    /** Whether {@link #tcpUrl()} names a TLS broker ({@code tls://HOST:PORT}). */
    public boolean tlsUrl() {
        return tcpUrl != null && tcpUrl.strip().startsWith("tls://");
    }

    /** The broker's TCP token file. */
    public Path tokenFile() {
        return home.resolve("token");
    }

    /** The file a running broker holds locked, so that a home has one broker. */
    public Path lockFile() {
        return home.resolve("broker.lock");
    }

    /** Where an auto-started broker writes its output. */
    public Path brokerLog() {
        return home.resolve("broker.log");
    }

    private static Path pathOr(String value, Path fallback) {
        return value == null || value.isBlank() ? fallback : Path.of(value);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
