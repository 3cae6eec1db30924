package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root {@code peers} script on the built jar, as users and agents run it: it passes every exit code
 * through, names itself in what it installs, and {@code peers mcp} through it has nothing but JSON-RPC
 * on stdout. Runs after {@code package} (failsafe), when target/peers.jar exists.
 */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
class LauncherProcessTest {
    private static final Path LAUNCHER =
            Path.of("").toAbsolutePath().getParent().resolve("peers");

    @TempDir
    Path home;

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private ProcessBuilder launcher(String... args) {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("PEERS_"));
        env.put("HOME", home.toString());
        env.put("PEERS_HOME", home.resolve("p").toString());
        env.put(
                "JAVA_HOME",
                Path.of(ProcessHandle.current().info().command().orElseThrow())
                        .getParent()
                        .getParent()
                        .toString());
        return builder;
    }

    private Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder builder = launcher(args);
        builder.environment().putAll(env);
        Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "peers " + String.join(" ", args) + " finished");
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } finally {
            end(process);
        }
    }

    @Test
    void everyExitCodeComesThroughTheScript() throws Exception {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is the launcher");
        Result version = run("--version");
        assertEquals(0, version.exit(), version::toString);
        assertTrue(version.out().startsWith("peers "), version::toString);
        Path codexConfig = Files.createDirectories(home.resolve(".codex")).resolve("config.toml");
        Files.writeString(codexConfig, "mcp_servers = 1\n");
        Result failed = run("install", "codex");
        assertEquals(1, failed.exit(), failed::toString);
        Result usage = run("no-such-command");
        assertEquals(2, usage.exit(), usage::toString);
        Result platform = run("install", "service", "--platform", "plan9");
        assertEquals(2, platform.exit(), platform::toString);
        // junixsocket copies its JNI library into java.io.tmpdir unless the launcher hands it the build's copy.
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        Result unreachable = run(Map.of("PEERS_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp), "status");
        assertEquals(3, unreachable.exit(), unreachable::toString);
        assertTrue(unreachable.err().contains("peers broker start"), unreachable::toString);
        Path target = LAUNCHER.getParent().resolve("peers-app/target");
        if (fresh(target.resolve("native"), target.resolve("peers.jar"))) {
            try (var copies = Files.list(tmp)) {
                assertEquals(List.of(), copies.map(Path::toString).toList(), "no copy of the JNI library");
            }
        }
    }

    @Test
    void versionLoadsOnlyTheRootAndAFreshArchiveIsMappedWhereItWasDumped() throws Exception {
        Path classes = home.resolve("classes.log");
        Path cds = home.resolve("cds.log");
        ProcessBuilder builder = launcher("--version");
        builder.environment()
                .put("PEERS_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes + " -Xlog:cds=info:file=" + cds);
        Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "peers --version finished");
            assertEquals(0, process.exitValue());
        } finally {
            end(process);
        }
        List<String> loaded = Files.readAllLines(classes);
        // Every command's model (and Jackson through the status command) came with --version before.
        assertTrue(loaded.stream().noneMatch(line -> line.contains("com.fasterxml.jackson")), "no Jackson class");
        assertTrue(loaded.stream().noneMatch(line -> line.contains("io.agentpeers.cli.StatusCommands")), "no command");
        Path jar = LAUNCHER.getParent().resolve("peers-app/target/peers.jar");
        Path archive = LAUNCHER.getParent().resolve("peers-app/target/peers.jsa");
        boolean fresh = Files.exists(archive)
                && !Files.getLastModifiedTime(jar)
                        .toInstant()
                        .isAfter(Files.getLastModifiedTime(archive).toInstant());
        if (fresh) {
            String log = Files.readString(cds);
            assertTrue(log.contains("Mapped static"), log);
            assertFalse(log.contains("alternative address"), "no relocation: " + log);
        }
    }

    /** As the launcher decides: a file the build made after the jar (a skipped step leaves an older one). */
    static boolean fresh(Path file, Path jar) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        if (Files.isDirectory(file)) {
            try (var files = Files.list(file)) {
                return files.anyMatch(f -> {
                    try {
                        return !Files.getLastModifiedTime(jar)
                                .toInstant()
                                .isAfter(Files.getLastModifiedTime(f).toInstant());
                    } catch (IOException e) {
                        return false;
                    }
                });
            }
        }
        return !Files.getLastModifiedTime(jar)
                .toInstant()
                .isAfter(Files.getLastModifiedTime(file).toInstant());
    }

    @Test
    void whatItInstallsRunsTheScript() throws Exception {
        Result dry = run("install", "codex", "--dry-run");
        assertEquals(0, dry.exit(), dry::toString);
        assertTrue(dry.out().contains("+ command = \"" + LAUNCHER.toRealPath() + "\""), dry::toString);
    }

    @Test
    void theMcpServerThroughTheScriptWritesOnlyTheProtocolOnStdout() throws Exception {
        // A TCP broker address that nothing listens on: the server starts no broker of its own.
        ProcessBuilder builder = launcher("mcp", "--client-type", "codex");
        builder.environment().put("PEERS_TCP_URL", "127.0.0.1:1");
        builder.environment().put("PEERS_TOKEN", "unused");
        Process process = builder.start();
        try {
            CompletableFuture<String> err = drain(process.getErrorStream());
            OutputStream stdin = process.getOutputStream();
            stdin.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                            + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n"
                            + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                            + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            CompletableFuture<Void> answers = CompletableFuture.runAsync(() -> {
                try {
                    String line;
                    while (lines.stream().noneMatch(l -> l.contains("\"id\":2"))
                            && (line = reader.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            answers.get(60, TimeUnit.SECONDS);
            stdin.close();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits when stdin closes");
            assertEquals(0, process.exitValue(), () -> err.join());
            reader.lines().forEach(lines::add);
            assertTrue(lines.get(0).contains("\"serverInfo\""), lines::toString);
            for (String line : lines) {
                assertTrue(
                        line.startsWith("{") && line.contains("\"jsonrpc\":\"2.0\""),
                        "stdout is the protocol: " + line);
            }
        } finally {
            end(process);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** Ends the process by its pid (the script execs the JVM, so that is the JVM): SIGTERM, then SIGKILL. */
    private static void end(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
