package io.agentpeers.local;

import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a broker when none answers: a fully detached process (its own session through
 * {@code setsid}, stdin from {@code /dev/null}, output appended to {@code broker.log} in
 * {@code PEERS_HOME}), so it outlives whoever started it and never fills a pipe. A lock on
 * {@code start.lock} makes clients that start at the same moment yield one broker. The home, a separate
 * socket folder and the files written here must be private ({@link PrivateFiles}): else a
 * {@link io.agentpeers.protocol.NotPrivateException} says how to fix them, and nothing is started.
 */
public final class BrokerStarter {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStarter.class);
    /** How the CLI starts an error on stderr, which a detached broker writes to its log. */
    private static final String ERROR_PREFIX = "peers: ";
    /** JVM options that keep a broker small and quiet on stdout. */
    public static final List<String> JVM_OPTIONS = List.of(
            "-Xms8m",
            "-Xmx48m",
            "-XX:+UseSerialGC",
            // An OutOfMemoryError anywhere ends the broker (status 3), never a half-alive one holding its lock.
            "-XX:+ExitOnOutOfMemoryError",
            "-Xss512k",
            // The idle broker's ratios, for a small RSS: a busy one loosens them at run time and its idle collection
            // puts these back (peers-app's HeapFreeRatios).
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30",
            // The heap a full collection leaves free goes back at once, not over four collections: the broker asks
            // for one when a busy spell is over (peers-app's IdleHeapShrink).
            "-XX:-ShrinkHeapInSteps",
            "-XX:ReservedCodeCacheSize=24m",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-Xlog:disable",
            "-Xlog:all=warning:stderr");

    /** How long a start may take before the starter says what it waits for. */
    static final Duration QUIET_WAIT = Duration.ofSeconds(1);

    /** File locks belong to the whole JVM: threads of one process take turns here first. */
    private static final Object START_MONITOR = new Object();

    private final PeersPaths paths;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Duration idleTimeout;
    private final Consumer<String> notices;

    /**
     * @param command     what starts a broker in the foreground, e.g. {@code [peers, broker, run]}
     * @param environment extra environment for it (PEERS_HOME and friends are set from {@code paths})
     */
    public BrokerStarter(PeersPaths paths, List<String> command, Map<String, String> environment) {
        this(paths, command, environment, null, line -> {});
    }

    private BrokerStarter(
            PeersPaths paths,
            List<String> command,
            Map<String, String> environment,
            Duration idleTimeout,
            Consumer<String> notices) {
        this.paths = paths;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.idleTimeout = idleTimeout;
        this.notices = notices;
    }

    /**
     * A starter for a broker nobody asked for by name (the MCP server's): it says on {@link #withNotices} that it
     * started one, for which home and socket, and the broker stops after {@code idle} without connections
     * ({@code PEERS_IDLE_TIMEOUT}), so that a client started somewhere unexpected leaves no broker behind.
     *
     * @param idle how long the broker waits for a connection before it stops; zero for never
     */
    public BrokerStarter autoStarting(Duration idle) {
        return new BrokerStarter(paths, command, environment, idle, notices);
    }

    /** A starter that tells {@code notices} what it waits for when a start takes more than a second. */
    public BrokerStarter withNotices(Consumer<String> notices) {
        return new BrokerStarter(paths, command, environment, idleTimeout, notices);
    }

    /** Whether a broker answers on the socket now. */
    public boolean running() {
        return SocketFiles.probe(paths.socket()) == SocketFileState.LIVE;
    }

    /**
     * Returns once a broker answers, starting one if none does.
     *
     * @return whether this call started it
     * @throws io.agentpeers.protocol.NotPrivateException when the home, the socket folder, the lock or the log
     *     is not private to this user (checked first, even when a broker answers)
     */
    public boolean ensureRunning(Duration timeout) {
        try {
            // Checked even when a broker answers: a socket in another user's home is not ours to trust.
            Path home = PrivateFiles.requireFolder(paths.home(), "PEERS_HOME");
            Path sockets = paths.socket().toAbsolutePath().getParent();
            if (!sockets.equals(home)) {
                PrivateFiles.requireFolder(sockets, "PEERS_SOCKET");
            }
            if (running()) {
                return false;
            }
            Path lockPath = home.resolve("start.lock");
            synchronized (START_MONITOR) {
                try (FileChannel channel =
                                PrivateFiles.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock ignored = channel.lock()) {
                    if (running()) {
                        return false; // another client started it while we waited for the lock
                    }
                    // Made or checked first: what the broker appends after this is the new broker's.
                    PrivateFiles.createFile(paths.brokerLog());
                    long logStart = Files.size(paths.brokerLog());
                    Process process = spawn();
                    awaitAnswer(process, timeout, logStart);
                    if (idleTimeout != null) {
                        notices.accept("started a broker (pid " + process.pid() + ") for PEERS_HOME " + paths.home()
                                + " on " + paths.socket() + "; it stops "
                                + (idleTimeout.isZero()
                                        ? "only when told"
                                        : "after " + span(idleTimeout) + " without connections (PEERS_IDLE_TIMEOUT)")
                                + "; log: " + paths.brokerLog());
                    }
                    return true;
                }
            }
        } catch (IOException e) {
            throw new BrokerStartFailedException("cannot start a broker in " + paths.home() + ": " + e.getMessage(), e);
        }
    }

    private Process spawn() throws IOException {
        // The redirect follows links: the log is made or checked first in the checked home, which only we can change.
        PrivateFiles.createFile(paths.brokerLog());
        List<String> full = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            full.add("/usr/bin/setsid");
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(paths.brokerLog().toFile()))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.putAll(environment);
        env.put("PEERS_HOME", paths.home().toString());
        env.put("PEERS_SOCKET", paths.socket().toString());
        env.put("PEERS_DB", paths.databaseSetting());
        if (idleTimeout != null) {
            env.put("PEERS_IDLE_TIMEOUT", Long.toString(idleTimeout.toSeconds()));
        }
        if (paths.tcp() != null) {
            env.put("PEERS_TCP", paths.tcp());
        }
        if (paths.tls() != null) {
            env.put("PEERS_TLS", paths.tls());
        }
        // As the launcher sets it (a JVM started directly gets no launcher): few glibc malloc arenas.
        env.putIfAbsent("MALLOC_ARENA_MAX", "2");
        withoutSessionSecrets(env);
        LOG.info("starting a broker: {} (log {})", String.join(" ", full), paths.brokerLog());
        return builder.start();
    }

    /**
     * The one-sentence error a broker process printed at start ({@code peers: ...}, by the CLI's rule), from
     * what it appended to the log after {@code from}; null when there is none.
     */
    private String lastError(long from) {
        try (FileChannel log = FileChannel.open(paths.brokerLog(), StandardOpenOption.READ)) {
            long size = log.size();
            if (size <= from) {
                return null;
            }
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size - from, 64 * 1024));
            log.read(tail, Math.max(from, size - tail.capacity()));
            String text = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8);
            String found = null;
            for (String line : text.split("\n")) {
                if (line.startsWith(ERROR_PREFIX)) {
                    found = line.substring(ERROR_PREFIX.length()).strip();
                }
            }
            return found;
        } catch (IOException e) {
            return null;
        }
    }

    private static String span(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
    }

    /**
     * Removes what an agent session hands its own tools only: Claude Code gives each MCP server the socket
     * and token of its session's inbox ({@code CLAUDE_CODE_MESSAGING_*}) and the session id. The broker
     * serves every session and outlives this one; it must never hold a key to one session's inbox.
     *
     * @return the same map, for chaining
     */
    static Map<String, String> withoutSessionSecrets(Map<String, String> env) {
        env.keySet().removeIf(BrokerStarter::isSessionSecret);
        return env;
    }

    static boolean isSessionSecret(String variable) {
        return variable.startsWith("CLAUDE_CODE_MESSAGING_") || variable.equals("CLAUDE_CODE_SESSION_ID");
    }

    private void awaitAnswer(Process process, Duration timeout, long logStart) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        boolean said = false;
        while (System.nanoTime() < deadline) {
            if (running()) {
                return;
            }
            if (!process.isAlive() && !running()) {
                String why = lastError(logStart);
                throw new BrokerStartFailedException(
                        why != null
                                ? why + " (log: " + paths.brokerLog() + ")"
                                : "the broker exited with code " + process.exitValue() + " at start; see "
                                        + paths.brokerLog());
            }
            if (!said && System.nanoTime() - started > QUIET_WAIT.toNanos()) {
                said = true;
                notices.accept("waiting for the new broker (pid " + process.pid() + ") to answer on " + paths.socket()
                        + "; its log: " + paths.brokerLog());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrokerStartFailedException("interrupted while starting the broker");
            }
        }
        throw new BrokerStartFailedException(
                "the broker did not answer within " + timeout.toSeconds() + " s; see " + paths.brokerLog());
    }
}
