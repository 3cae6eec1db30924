package io.agentpeers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the CLI as a real process: a child JVM on this test's class path, with a clean environment
 * (HOME and PEERS_HOME always in a temp folder), ended by pid in a finally.
 */
final class CliProcess {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 60;

    record Result(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Map<String, String> env = new HashMap<>();
    private Path cwd;

    CliProcess(Path home, Path peersHome) {
        env.put("HOME", home.toString());
        env.put("PEERS_HOME", peersHome.toString());
        env.put("PATH", home.resolve("bin").toString());
        env.put("USER", "Test User");
        this.cwd = home;
    }

    CliProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    CliProcess cwd(Path dir) {
        this.cwd = dir;
        return this;
    }

    static List<String> javaCommand(List<String> args) {
        List<String> command = io.agentpeers.app.AppJvm.command(List.of());
        command.addAll(args);
        return command;
    }

    /** Starts the CLI without waiting; the caller ends it with {@link #end}. */
    Process start(String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(javaCommand(List.of(args))).directory(cwd.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    Result run(String... args) throws Exception {
        return runWithInput(null, args);
    }

    Result runWithInput(String stdin, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(javaCommand(List.of(args))).directory(cwd.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process = builder.start();
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(
                        "peers " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } finally {
            end(process);
        }
    }

    /** util-linux {@code script}: runs a command on a pseudo-terminal and copies what it writes there. */
    private static final Path SCRIPT = Path.of("/usr/bin/script");

    private static final Path STTY = Path.of("/bin/stty");

    /** Whether {@link #runInTerminal} and {@link #startInTerminal} can work on this machine. */
    static boolean terminalAvailable() {
        return Files.isExecutable(SCRIPT) && Files.isExecutable(STTY);
    }

    /**
     * Starts the CLI on a pseudo-terminal, stdin, stdout and stderr alike, without waiting: its input
     * stream carries the bytes a terminal would receive. The terminal adds no carriage returns
     * ({@code stty -onlcr}), so every byte is the CLI's. The caller ends it with {@link #endInTerminal}.
     */
    Process startInTerminal(String... args) throws IOException {
        String command = "'" + STTY + "' -onlcr && exec "
                + javaCommand(List.of(args)).stream()
                        .map(CliProcess::shellQuoted)
                        .collect(Collectors.joining(" "));
        ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "-qfec", command, "/dev/null")
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs the CLI on a pseudo-terminal; {@code out} is everything the terminal received, {@code err} is empty. */
    Result runInTerminal(String... args) throws Exception {
        Process process = startInTerminal(args);
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(
                        "peers " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), "");
        } finally {
            endInTerminal(process);
        }
    }

    /** Ends {@code script} and the CLI under it, by their pids. */
    static void endInTerminal(Process script) throws InterruptedException {
        List<ProcessHandle> under = script.toHandle().descendants().toList();
        under.forEach(ProcessHandle::destroy);
        end(script);
        for (ProcessHandle process : under) {
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                process.destroyForcibly();
            }
        }
    }

    private static String shellQuoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** Ends a process by its pid: SIGTERM, then SIGKILL. */
    static void end(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
