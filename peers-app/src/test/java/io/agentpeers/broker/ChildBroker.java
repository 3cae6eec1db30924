package io.agentpeers.broker;

import io.agentpeers.app.AppJvm;
import io.agentpeers.local.BrokerStarter;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code peers broker run} in a child JVM on a given home, its stdout and stderr in files of their own
 * (so a full pipe never stalls it). Tests end it in {@code finally} with {@link #close()}.
 */
final class ChildBroker implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 30_000;
    private static int started;

    private final Process process;
    private final Path home;
    private final Path stdout;
    private final Path stderr;

    private ChildBroker(Process process, Path home, Path stdout, Path stderr) {
        this.process = process;
        this.home = home;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** {@code peers broker run} with the broker's JVM options: the packaged app, see {@link AppJvm}. */
    static List<String> brokerCommand() {
        List<String> command = AppJvm.brokerCommand(BrokerStarter.JVM_OPTIONS);
        command.add("broker");
        command.add("run");
        return command;
    }

    /** Starts a broker process on {@code home} with a test's environment (rate, sweep, ...); does not wait. */
    static ChildBroker launch(Path home, Map<String, String> env) throws IOException {
        return launch(home, brokerCommand(), env);
    }

    /** As {@link #launch(Path, Map)} with {@code command}: {@link #brokerCommand()} under a tool (strace). */
    static ChildBroker launch(Path home, List<String> command, Map<String, String> env) throws IOException {
        int run;
        synchronized (ChildBroker.class) {
            run = ++started;
        }
        Path logs = Files.createDirectories(home.getParent().resolve("logs"));
        Path out = logs.resolve("broker-" + run + ".out");
        Path err = logs.resolve("broker-" + run + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("PEERS_"));
        builder.environment().put("PEERS_HOME", home.toString());
        builder.environment().put("PEERS_SWEEP_MS", "600000");
        builder.environment().putAll(env);
        return new ChildBroker(builder.start(), home, out, err);
    }

    /** Starts a broker process and returns once its socket answers. */
    static ChildBroker start(Path home, Map<String, String> env) throws IOException, InterruptedException {
        return start(home, brokerCommand(), env);
    }

    /** As {@link #start(Path, Map)} with {@code command}. */
    static ChildBroker start(Path home, List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        ChildBroker broker = launch(home, command, env);
        try {
            broker.awaitAnswer();
            return broker;
        } catch (RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
    }

    /** Waits (bounded) until the socket answers; fails with the child's output if it exits first. */
    void awaitAnswer() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            if (SocketFiles.probe(socket()) == SocketFileState.LIVE) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the broker exited with " + process.exitValue() + " at start: " + stderr());
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(
                "the broker did not answer within " + START_TIMEOUT_MILLIS + " ms: " + stderr());
    }

    Path socket() {
        return home.resolve("peers.sock");
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker " + pid() + " survived SIGKILL");
        }
    }

    /** Waits for the process to exit; returns its exit code, or -1 if it is still running after the timeout. */
    int awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** Ends the process by its pid if it still runs: SIGKILL, then a bounded wait. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
