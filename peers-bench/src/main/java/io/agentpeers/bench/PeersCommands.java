package io.agentpeers.bench;

import io.agentpeers.core.UnknownPeerException;
import io.agentpeers.protocol.client.PeersClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.JarFile;

/**
 * The user-facing programs as child processes: {@code peers mcp} (cold start to the {@code initialize}
 * answer, and the round trip of a message to a channel notification on its stdout) and
 * {@code peers status} (cold start to its first line). Every child is ended by its pid.
 */
final class PeersCommands {
    /** The one entry point: {@code peers mcp} and {@code peers broker run} are its commands. */
    static final String MAIN = "io.agentpeers.app.Main";

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"experimental\":{\"claude/channel\":{}}},"
            + "\"clientInfo\":{\"name\":\"peers-bench\",\"version\":\"" + PeersClient.VERSION + "\"}}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    private final Path root;
    private final BrokerProcess broker;

    PeersCommands(Path root, BrokerProcess broker) {
        this.root = root;
        this.broker = broker;
    }

    BrokerProcess broker() {
        return broker;
    }

    Path jar() {
        return root == null ? null : root.resolve("peers-app/target/peers.jar");
    }

    Path launcher() {
        return root == null ? null : root.resolve("peers");
    }

    /** Why the MCP server cannot be run, or null when it can. */
    String mcpMissing() {
        String jarMissing = jarMissing();
        if (jarMissing != null) {
            return jarMissing;
        }
        try (JarFile jar = new JarFile(jar().toFile())) {
            if (jar.getEntry("io/agentpeers/mcp/PeersMcp.class") == null) {
                return jar() + " has no MCP server (peers-mcp not built into it yet)";
            }
        } catch (IOException e) {
            return "cannot read " + jar() + ": " + e.getMessage();
        }
        return null;
    }

    /** Why {@code ./peers} cannot be run, or null when it can. */
    String launcherMissing() {
        if (root == null) {
            return "the repository was not found (give --root)";
        }
        if (!Files.isExecutable(launcher())) {
            return "no executable launcher " + launcher() + " (peers-cli/peers-app not built yet)";
        }
        return jarMissing();
    }

    private String jarMissing() {
        if (root == null) {
            return "the repository was not found (give --root)";
        }
        if (!Files.isRegularFile(jar())) {
            return "no " + jar() + " (build peers-app first)";
        }
        return null;
    }

    /** {@code ./peers mcp} through the launcher. */
    List<String> launcherMcp() {
        return List.of(launcher().toString(), "mcp");
    }

    /** {@code ./peers status} through the launcher. */
    List<String> launcherStatus() {
        return List.of(launcher().toString(), "status");
    }

    /** The MCP server from this benchmark's own class path (peers-mcp is a dependency): for the round trip. */
    static List<String> bundledMcp(String name) {
        // Only a claude-code server pushes channel notifications.
        return List.of(java(), "-cp", absoluteClassPath(), MAIN, "mcp", "--client-type", "claude-code", "--name", name);
    }

    /** The MCP server on a plain JVM: no launcher flags, no class-data archive of its own. */
    List<String> plainMcp(String name) {
        List<String> command =
                new ArrayList<>(List.of(java(), "-cp", jar().toString(), MAIN, "mcp", "--client-type", "generic"));
        if (name != null) {
            command.add("--name");
            command.add(name);
        }
        return command;
    }

    /** This JVM's class path with absolute entries: children run in another folder. */
    static String absoluteClassPath() {
        StringBuilder out = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (out.length() > 0) {
                out.append(java.io.File.pathSeparator);
            }
            out.append(Path.of(entry).toAbsolutePath());
        }
        return out.toString();
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Launch to the answer to {@code initialize} on stdout, in nanoseconds. */
    long coldStartMcp(List<String> command) {
        Child child = Child.start(command, broker, "cold-mcp.log");
        try {
            long start = child.startedNanos;
            child.writeLine(INITIALIZE);
            TimedLine answer =
                    child.await(line -> line.contains("\"id\":1") && line.contains("\"result\""), ANSWER_TIMEOUT);
            return answer.nanos() - start;
        } finally {
            child.close();
        }
    }

    /**
     * The resident memory (VmRSS, KiB) of an MCP server a second after its answer to {@code initialize}: by
     * then it has connected to the broker and registered. The launcher execs the JVM, so the child is it.
     */
    long mcpResidentKib(List<String> command) {
        Child child = Child.start(command, broker, "mcp-memory.log");
        try {
            child.writeLine(INITIALIZE);
            child.await(line -> line.contains("\"id\":1") && line.contains("\"result\""), ANSWER_TIMEOUT);
            child.writeLine(INITIALIZED);
            BrokerProcess.sleep(1000);
            return BrokerProcess.residentKib(child.process.pid())[0];
        } finally {
            child.close();
        }
    }

    /** Launch to exit of a command that needs no input ({@code java -version}: the floor), in nanoseconds. */
    long toExit(List<String> command) {
        Child child = Child.start(command, broker, "floor.log");
        try {
            child.awaitExit(ANSWER_TIMEOUT);
            return System.nanoTime() - child.startedNanos;
        } finally {
            child.close();
        }
    }

    /** Launch to the first line on stdout, in nanoseconds. */
    long coldStartStatus(List<String> command) {
        Child child = Child.start(command, broker, "cold-status.log");
        try {
            long start = child.startedNanos;
            TimedLine first = child.await(line -> true, ANSWER_TIMEOUT);
            child.awaitExit(Duration.ofSeconds(10));
            return first.nanos() - start;
        } finally {
            child.close();
        }
    }

    /**
     * A real MCP server child registered as {@code name}; {@code sender} sends it messages and the time
     * until the channel notification shows on the server's stdout is measured.
     */
    Samples mcpRoundTrips(PeersClient sender, String name, int warmup, int count) {
        Child child = Child.start(bundledMcp(name), broker, "mcp-roundtrip.log");
        try {
            child.writeLine(INITIALIZE);
            child.await(line -> line.contains("\"id\":1"), ANSWER_TIMEOUT);
            child.writeLine(INITIALIZED);
            awaitPeer(sender, name);
            Samples samples = new Samples();
            for (int i = 0; i < warmup + count; i++) {
                String marker = "m" + i + "-" + System.nanoTime() + " ";
                long start = System.nanoTime();
                sender.send(name, marker + "x".repeat(80));
                TimedLine line =
                        child.await(l -> l.contains(marker) && !l.contains("\"id\":"), PushProbe.ARRIVAL_TIMEOUT);
                if (i >= warmup) {
                    samples.add(line.nanos() - start);
                }
            }
            return samples;
        } finally {
            child.close();
        }
    }

    private static void awaitPeer(PeersClient client, String name) {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client.getPeer(name).live()) {
                    return;
                }
            } catch (UnknownPeerException notYet) {
                // not registered yet
            }
            BrokerProcess.sleep(20);
        }
        throw new IllegalStateException(
                "the MCP server did not register as " + name + " within " + ANSWER_TIMEOUT.toSeconds() + " s");
    }

    record TimedLine(String text, long nanos) {}

    /** A child process whose stdout lines are read, timestamped, by a thread of its own. */
    private static final class Child implements AutoCloseable {
        private static final TimedLine END = new TimedLine(null, 0);
        final Process process;
        final long startedNanos;
        final OutputStream stdin;
        final LinkedBlockingQueue<TimedLine> lines = new LinkedBlockingQueue<>();
        final Path log;

        private Child(Process process, long startedNanos, Path log) {
            this.process = process;
            this.startedNanos = startedNanos;
            this.stdin = process.getOutputStream();
            this.log = log;
            Thread reader = new Thread(this::read, "bench-child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(List<String> command, BrokerProcess broker, String logName) {
            Path log = broker.home().resolve(logName);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(broker.home().toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            env.put("PEERS_HOME", broker.home().toString());
            env.put("PEERS_SOCKET", broker.unix().socket().toString());
            env.put("PEERS_DB", broker.home().resolve("peers.db").toString());
            env.remove("PEERS_TCP");
            env.remove("PEERS_TCP_URL");
            long start = System.nanoTime();
            try {
                return new Child(builder.start(), start, log);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
            }
        }

        private void read() {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(new TimedLine(line, System.nanoTime()));
                }
            } catch (IOException ignored) {
                // the process ended
            } finally {
                lines.add(END);
            }
        }

        void writeLine(String line) {
            try {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("the child's stdin closed", e);
            }
        }

        TimedLine await(Predicate<String> wanted, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                TimedLine line;
                try {
                    line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
                if (line == null) {
                    throw new IllegalStateException("no expected line within " + timeout.toSeconds() + " s: " + tail());
                }
                if (line == END) {
                    lines.add(END);
                    throw new IllegalStateException("the process ended without the expected line: " + tail());
                }
                if (wanted.test(line.text())) {
                    return line;
                }
            }
        }

        /** The last lines of the child's stderr, for a failure message. */
        String tail() {
            try {
                List<String> all = Files.readAllLines(log);
                return "stderr: " + String.join(" | ", all.subList(Math.max(0, all.size() - 5), all.size()));
            } catch (IOException e) {
                return "no stderr at " + log;
            }
        }

        void awaitExit(Duration timeout) {
            try {
                process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Closes stdin (an MCP server then exits), then ends the process and its children by pid. */
        @Override
        public void close() {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // already gone
            }
            awaitExit(Duration.ofSeconds(5));
            ProcessHandle handle = process.toHandle();
            List<ProcessHandle> descendants = handle.descendants().toList();
            if (handle.isAlive()) {
                handle.destroy();
                awaitExit(Duration.ofSeconds(3));
                if (handle.isAlive()) {
                    handle.destroyForcibly();
                    awaitExit(Duration.ofSeconds(3));
                }
            }
            for (ProcessHandle descendant : descendants) {
                if (descendant.isAlive()) {
                    descendant.destroyForcibly();
                }
            }
        }
    }
}
