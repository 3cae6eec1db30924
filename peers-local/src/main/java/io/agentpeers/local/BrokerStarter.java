package io.agentpeers.local;

import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    /** JVM options that keep a broker small and quiet on stdout. */
    public static final List<String> JVM_OPTIONS = List.of(
            "-Xms8m",
            "-Xmx48m",
            "-XX:+UseSerialGC",
            // An OutOfMemoryError anywhere ends the broker (status 3), never a half-alive one holding its lock.
            "-XX:+ExitOnOutOfMemoryError",
            "-Xss512k",
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30",
            "-XX:ReservedCodeCacheSize=24m",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-Xlog:disable",
            "-Xlog:all=warning:stderr");

    /** File locks belong to the whole JVM: threads of one process take turns here first. */
    private static final Object START_MONITOR = new Object();

    private final PeersPaths paths;
    private final List<String> command;
    private final Map<String, String> environment;

    /**
     * @param command     what starts a broker in the foreground, e.g. {@code [peers, broker, run]}
     * @param environment extra environment for it (PEERS_HOME and friends are set from {@code paths})
     */
    public BrokerStarter(PeersPaths paths, List<String> command, Map<String, String> environment) {
        this.paths = paths;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
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
                    Process process = spawn();
                    awaitAnswer(process, timeout);
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
        env.put("PEERS_DB", paths.database().toString());
        if (paths.tcp() != null) {
            env.put("PEERS_TCP", paths.tcp());
        }
        withoutSessionSecrets(env);
        LOG.info("starting a broker: {} (log {})", String.join(" ", full), paths.brokerLog());
        return builder.start();
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

    private void awaitAnswer(Process process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (running()) {
                return;
            }
            if (!process.isAlive() && !running()) {
                throw new BrokerStartFailedException(
                        "the broker exited with code " + process.exitValue() + " at start; see " + paths.brokerLog());
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrokerStartFailedException("interrupted while starting the broker");
            }
        }
        throw new BrokerStartFailedException(
                "the broker did not answer within " + timeout.toSeconds() + " s; see " + paths.brokerLog());
    }
}
