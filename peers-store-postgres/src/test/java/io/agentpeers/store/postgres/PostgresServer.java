package io.agentpeers.store.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.postgresql.Driver;

/**
 * A real PostgreSQL server for the tests of one JVM: started at first use from the binaries on this
 * machine (Debian's {@code /usr/lib/postgresql/N/bin}, or {@code -Dpeers.test.postgres.bin=DIR}), in a
 * temporary folder, on 127.0.0.1 and a free port, with a random password (SCRAM) and no Unix socket;
 * {@code fsync} off, since the folder goes at the end anyway. Each test gets a fresh schema of one
 * database ({@link #freshSchema()}): milliseconds, where a database per test would copy a template.
 *
 * <p>PostgreSQL refuses to run as root: under root the server runs as the user {@code postgres} (or
 * {@code -Dpeers.test.postgres.user=NAME}) through {@code setpriv}. Without the binaries or that user
 * the tests are skipped, saying why.
 *
 * <p>Stopped by pid whatever happens: at the JVM's exit (a shutdown hook), and, should the JVM be killed,
 * by a watchdog shell that waits for the JVM's pid to go and then stops the server and deletes the folder.
 */
public final class PostgresServer {
    private static final String DATABASE = "peers_test";
    private static final String USER = "peers";
    private static final long START_SECONDS = 60;

    private static PostgresServer shared;
    private static String unavailable;

    private final Path dir;
    // Replaced when a test stops its own server and starts it again.
    private volatile Process server;
    private volatile Process watchdog;
    private final int port;
    private final String password;
    private final AtomicInteger schemas = new AtomicInteger();

    private PostgresServer(Path dir, Process server, Process watchdog, int port, String password) {
        this.dir = dir;
        this.server = server;
        this.watchdog = watchdog;
        this.port = port;
        this.password = password;
    }

    /** The server of this JVM, started at the first call; skips the calling test when there is none to start. */
    public static synchronized PostgresServer shared() {
        if (shared == null && unavailable == null) {
            unavailable = whyUnavailable().orElse(null);
            if (unavailable == null) {
                shared = start();
                Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-test-server-stop"));
            }
        }
        assumeTrue(unavailable == null, () -> "no PostgreSQL server for the tests: " + unavailable);
        return shared;
    }

    /**
     * A server of the calling test's own, which it may stop and start again ({@link #stopFast()}, {@link
     * #startAgain()}); the test closes it ({@link #close()}). Skips the test when there is none to start.
     */
    public static PostgresServer startPrivate() {
        String why = whyUnavailable().orElse(null);
        assumeTrue(why == null, () -> "no PostgreSQL server for the tests: " + why);
        return start();
    }

    /** Stops the server as {@code pg_ctl stop -m fast} does (SIGINT: sessions are ended); its data stays. */
    public void stopFast() {
        stopServer();
    }

    /** Starts the stopped server again on the same port and waits until it accepts connections. */
    public void startAgain() {
        try {
            watchdog.destroy();
            server = launch(binaries().orElseThrow(), dir, port);
            watchdog = watchdog(server.pid(), dir);
            awaitReady();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the PostgreSQL test server again: " + e.getMessage(), e);
        }
    }

    /** Stops a {@linkplain #startPrivate() private} server and deletes its folder. */
    public void close() {
        stop();
    }

    /** A new, empty schema in the test database; its name. */
    public String freshSchema() {
        String schema = "t" + schemas.incrementAndGet();
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    /** The URL of the test database with {@code schema} as the connection's current schema. */
    String url(String schema) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?currentSchema=" + schema;
    }

    /** The server's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The user the tests connect as. */
    public String user() {
        return USER;
    }

    /** The test database's name. */
    public String database() {
        return DATABASE;
    }

    /** The password of {@link #user()}, for a test's PGPASSWORD (never on a command line). */
    public String password() {
        return password;
    }

    /** The user and password (never on a command line). */
    Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", password);
        return p;
    }

    /** Runs {@code sql} in the test database, auto-committed. */
    void execute(String sql) {
        try (Connection c = connect(DATABASE);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("the test server refused " + sql + ": " + e.getMessage(), e);
        }
    }

    Connection connect(String database) throws SQLException {
        Connection c = new Driver().connect("jdbc:postgresql://127.0.0.1:" + port + "/" + database, credentials());
        if (c == null) {
            throw new SQLException("the driver refused the URL");
        }
        return c;
    }

    // ---- starting

    private static Optional<String> whyUnavailable() {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            return Optional.of("no PostgreSQL binaries in /usr/lib/postgresql/*/bin (set -Dpeers.test.postgres.bin)");
        }
        if (isRoot()) {
            if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
                return Optional.of("running as root, which PostgreSQL refuses, and no /usr/bin/setpriv to drop it");
            }
            if (uidOf(runAs()).isEmpty()) {
                return Optional.of("running as root, which PostgreSQL refuses, and no user " + runAs()
                        + " to run it as (set -Dpeers.test.postgres.user)");
            }
        }
        return Optional.empty();
    }

    private static PostgresServer start() {
        Path bin = binaries().orElseThrow();
        Path dir;
        try {
            dir = Files.createTempDirectory("peers-postgres-test-");
            if (isRoot()) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName(runAs()));
            }
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            Path passwordFile = dir.resolve("password");
            Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            if (isRoot()) {
                Files.setOwner(passwordFile, Files.getOwner(dir));
            }
            run(
                    dir.resolve("initdb.log"),
                    asServerUser(
                            bin.resolve("initdb").toString(),
                            "-D",
                            dir.resolve("data").toString(),
                            "-U",
                            USER,
                            "--auth=scram-sha-256",
                            "--pwfile=" + passwordFile,
                            "-E",
                            "UTF8",
                            "--locale=C",
                            "--no-sync",
                            "--no-instructions"));
            Files.delete(passwordFile);
            IOException lastFailure = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                Process server = launch(bin, dir, port);
                Process watchdog = watchdog(server.pid(), dir);
                PostgresServer started = new PostgresServer(dir, server, watchdog, port, password);
                try {
                    started.awaitReady();
                    started.createDatabase();
                    return started;
                } catch (IOException e) {
                    started.stopServer();
                    lastFailure = e;
                }
            }
            throw lastFailure;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the PostgreSQL test server: " + e.getMessage(), e);
        }
    }

    private static Process launch(Path bin, Path dir, int port) throws IOException {
        return new ProcessBuilder(asServerUser(
                        bin.resolve("postgres").toString(),
                        "-D",
                        dir.resolve("data").toString(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(port),
                        "-c",
                        "unix_socket_directories=",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=200"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server-" + port + ".log").toFile()))
                .start();
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("the server exited with " + server.exitValue() + ": " + log());
            }
            try {
                connect("postgres").close();
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(50);
        }
        throw new IOException("the server did not accept connections within " + START_SECONDS + " s ("
                + (last == null ? "" : last.getMessage()) + "): " + log());
    }

    private void createDatabase() throws IOException {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE + " TEMPLATE template0 ENCODING 'UTF8'");
        } catch (SQLException e) {
            throw new IOException("cannot create the test database: " + e.getMessage(), e);
        }
    }

    /**
     * A shell that outlives a killed JVM: once {@code jvm} is gone it stops the server (fast shutdown,
     * then SIGKILL after 10 s) and deletes the folder. Ended by pid when the JVM stops the server itself.
     */
    private static Process watchdog(long serverPid, Path dir) throws IOException {
        long jvm = ProcessHandle.current().pid();
        String script = "while kill -0 " + jvm + " 2>/dev/null; do sleep 1; done;"
                + " kill -INT " + serverPid + " 2>/dev/null;"
                + " for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 " + serverPid + " 2>/dev/null || break; sleep 1; done;"
                + " kill -KILL " + serverPid + " 2>/dev/null; rm -rf '" + dir + "'";
        return new ProcessBuilder("/bin/sh", "-c", script)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    // ---- stopping

    private void stop() {
        stopServer();
        watchdog.destroy();
        deleteRecursively(dir);
    }

    /** Fast shutdown (SIGINT: active sessions are ended), SIGKILL if it is still there after 15 s. */
    private void stopServer() {
        try {
            if (server.isAlive()) {
                new ProcessBuilder("kill", "-INT", Long.toString(server.pid()))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor(5, TimeUnit.SECONDS);
            }
            if (!server.waitFor(15, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            server.destroyForcibly();
        }
    }

    // ---- helpers

    private static Optional<Path> binaries() {
        String configured = System.getProperty("peers.test.postgres.bin");
        if (configured != null) {
            return Optional.of(Path.of(configured)).filter(PostgresServer::hasServer);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(
                            v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .filter(PostgresServer::hasServer);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasServer(Path bin) {
        return Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb"));
    }

    private static boolean isRoot() {
        return new UnixSystem().getUid() == 0;
    }

    private static String runAs() {
        return System.getProperty("peers.test.postgres.user", "postgres");
    }

    private static Optional<String> uidOf(String user) {
        try (Stream<String> lines = Files.lines(Path.of("/etc/passwd"))) {
            return lines.map(line -> line.split(":"))
                    .filter(f -> f.length > 2 && f[0].equals(user))
                    .map(f -> f[2])
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code command} as the server's user: itself, or under root through setpriv (which execs it: same pid). */
    private static List<String> asServerUser(String... command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("/usr/bin/setpriv", "--reuid=" + runAs(), "--regid=" + runAs(), "--init-groups", "--"));
        }
        full.addAll(List.of(command));
        return full;
    }

    private static void run(Path log, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!p.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + START_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with " + p.exitValue() + ": "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private String log() {
        try (Stream<Path> logs = Files.list(dir)) {
            Path newest = logs.filter(p -> p.getFileName().toString().startsWith("server-" + port))
                    .findFirst()
                    .orElse(null);
            return newest == null ? "(no log)" : Files.readString(newest, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort: a temporary folder.
        }
    }
}
