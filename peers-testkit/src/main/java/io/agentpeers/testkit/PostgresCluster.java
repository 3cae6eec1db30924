package io.agentpeers.testkit;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from this machine's binaries (Debian's {@code /usr/lib/postgresql/N/bin}, or
 * {@code -Dpeers.test.postgres.bin=DIR}) in a temporary folder, for the tests and the benchmark: one superuser
 * with a random password (SCRAM), no Unix socket, listening on the given addresses only (loopback, or a veth
 * address a test made), a free port. Readiness is asked of {@code pg_isready}, so this needs no JDBC driver.
 *
 * <p>PostgreSQL refuses to run as root: under root the server runs as the user {@code postgres} (or
 * {@code -Dpeers.test.postgres.user=NAME}) through {@code setpriv}. {@link #whyUnavailable()} says why there is
 * none to start here.
 *
 * <p>Stopped by pid whatever happens: {@link #close()}, or, should this JVM be killed, a watchdog shell that
 * waits for the JVM's pid to go and then stops the server and deletes the folder.
 */
public final class PostgresCluster implements AutoCloseable {
    private static final long START_SECONDS = 60;

    private final Path dir;
    private final Path bin;
    private final List<String> command;
    private final String readyAddress;
    private final int port;
    private final String user;
    private final String password;
    // Replaced when a test stops the server and starts it again.
    private volatile Process server;
    private volatile Process watchdog;

    private PostgresCluster(
            Path dir, Path bin, List<String> command, String readyAddress, int port, String user, String password) {
        this.dir = dir;
        this.bin = bin;
        this.command = List.copyOf(command);
        this.readyAddress = readyAddress;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /**
     * How the cluster runs.
     *
     * @param addresses the addresses it listens on, the first one the one {@code pg_isready} asks
     * @param networks  CIDRs besides loopback whose clients may log in with the password (a veth subnet)
     * @param durable   fsync and full-page writes on, as a real server (the benchmark); off for the tests,
     *                  whose folder goes at the end anyway
     */
    public record Settings(List<String> addresses, List<String> networks, boolean durable) {
        public Settings {
            addresses = List.copyOf(addresses);
            networks = List.copyOf(networks);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a cluster listens on at least one address");
            }
        }

        /** Loopback only, not durable: the tests' server. */
        public static Settings loopback() {
            return new Settings(List.of("127.0.0.1"), List.of(), false);
        }
    }

    /** Why no cluster can be started here (no binaries, root without a user to drop to), or empty. */
    public static Optional<String> whyUnavailable() {
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

    /** Initialises and starts a cluster whose superuser is {@code user}; returns once it accepts connections. */
    public static PostgresCluster start(String user, Settings settings) {
        Path bin = binaries()
                .orElseThrow(() -> new IllegalStateException(whyUnavailable().orElse("no PostgreSQL binaries")));
        Path dir;
        try {
            dir = Files.createTempDirectory("peers-postgres-");
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
            Path data = dir.resolve("data");
            run(
                    dir.resolve("initdb.log"),
                    asServerUser(
                            bin.resolve("initdb").toString(),
                            "-D",
                            data.toString(),
                            "-U",
                            user,
                            "--auth=scram-sha-256",
                            "--pwfile=" + passwordFile,
                            "-E",
                            "UTF8",
                            "--locale=C",
                            "--no-sync",
                            "--no-instructions"));
            Files.delete(passwordFile);
            for (String network : settings.networks()) {
                Files.writeString(
                        data.resolve("pg_hba.conf"),
                        "host all all " + network + " scram-sha-256\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.APPEND);
            }
            IOException lastFailure = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                List<String> command = new ArrayList<>(List.of(
                        bin.resolve("postgres").toString(),
                        "-D",
                        data.toString(),
                        "-h",
                        String.join(",", settings.addresses()),
                        "-p",
                        Integer.toString(port),
                        "-c",
                        "unix_socket_directories=",
                        "-c",
                        "max_connections=200"));
                if (!settings.durable()) {
                    command.addAll(
                            List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
                }
                PostgresCluster started = new PostgresCluster(
                        dir, bin, command, settings.addresses().get(0), port, user, password);
                try {
                    started.launch();
                    started.awaitReady();
                    return started;
                } catch (IOException e) {
                    started.stopServer();
                    started.watchdog.destroy();
                    lastFailure = e;
                }
            }
            throw lastFailure;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a PostgreSQL cluster: " + e.getMessage(), e);
        }
    }

    /** The server's port on each of its addresses. */
    public int port() {
        return port;
    }

    /** The superuser. */
    public String user() {
        return user;
    }

    /** The superuser's password: for a PGPASSWORD or the driver's properties, never a command line. */
    public String password() {
        return password;
    }

    /** The server process's pid. */
    public long pid() {
        return server.pid();
    }

    /** The server's log so far. */
    public String log() {
        Path file = dir.resolve("server-" + port + ".log");
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the server as {@code pg_ctl stop -m fast} does (SIGINT: sessions are ended); its data stays. */
    public void stopFast() {
        stopServer();
    }

    /** Starts the stopped server again on the same port and waits until it accepts connections. */
    public void startAgain() {
        try {
            watchdog.destroy();
            launch();
            awaitReady();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the PostgreSQL cluster again: " + e.getMessage(), e);
        }
    }

    /** Stops the server (fast shutdown, SIGKILL after 15 s) and deletes its folder. */
    @Override
    public void close() {
        stopServer();
        watchdog.destroy();
        deleteRecursively(dir);
    }

    // ---- starting

    private void launch() throws IOException {
        server = new ProcessBuilder(asServerUser(command.toArray(String[]::new)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server-" + port + ".log").toFile()))
                .start();
        watchdog = watchdog(server.pid(), dir);
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("the server exited with " + server.exitValue() + ": " + log());
            }
            Process probe = new ProcessBuilder(
                            bin.resolve("pg_isready").toString(),
                            "-q",
                            "-h",
                            readyAddress,
                            "-p",
                            Integer.toString(port),
                            "-t",
                            "2")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                if (!probe.waitFor(5, TimeUnit.SECONDS)) {
                    probe.destroyForcibly();
                } else if (probe.exitValue() == 0) {
                    return;
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                probe.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the server", e);
            }
        }
        throw new IOException("the server did not accept connections within " + START_SECONDS + " s: " + log());
    }

    /**
     * A shell that outlives a killed JVM: once it is gone it stops the server (fast shutdown, then SIGKILL
     * after 10 s) and deletes the folder. Ended by pid when the JVM stops the server itself.
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
        } catch (IOException e) {
            server.destroyForcibly();
        } catch (InterruptedException e) {
            server.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers

    private static Optional<Path> binaries() {
        String configured = System.getProperty("peers.test.postgres.bin");
        if (configured != null) {
            return Optional.of(Path.of(configured)).filter(PostgresCluster::hasServer);
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
                    .filter(PostgresCluster::hasServer);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasServer(Path bin) {
        return Files.isExecutable(bin.resolve("postgres"))
                && Files.isExecutable(bin.resolve("initdb"))
                && Files.isExecutable(bin.resolve("pg_isready"));
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

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort: a temporary folder.
        }
    }
}
