package io.agentpeers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Runs {@code peers} commands in this JVM through {@link CliContext}: the environment (HOME and
 * PEERS_HOME in a temp folder, PATH only HOME/bin), the working directory and the streams are the
 * test's, so a command sees nothing of the machine's own setup.
 */
final class InProcessCli {
    static final ObjectMapper JSON = new ObjectMapper();
    /** What the composition root would be; only named in the commands the CLI writes (service, MCP entries). */
    static final String MAIN_CLASS = "io.agentpeers.app.Main";

    /** A finished command: its exit code and what it printed. */
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

    /** A command running in the background (watch, send --wait): its streams can be read while it runs. */
    record Running(Future<Integer> exit, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        String outText() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String errText() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    private final Map<String, String> env = new HashMap<>();
    private final Path home;
    private Path cwd;

    InProcessCli(Path home, Path peersHome) {
        this.home = home;
        env.put("HOME", home.toString());
        env.put("PEERS_HOME", peersHome.toString());
        env.put("PATH", home.resolve("bin").toString());
        env.put("USER", "Test User");
        this.cwd = home;
    }

    InProcessCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    InProcessCli cwd(Path dir) {
        this.cwd = dir;
        return this;
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    Result runWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = execute(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err, args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Starts a command on another thread; the caller waits for {@link Running#exit()}. */
    Running start(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(() -> execute(InputStream.nullInputStream(), out, err, args));
        return new Running(exit, out, err);
    }

    private int execute(InputStream in, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        CliContext context = new CliContext(env, home, cwd, outStream, errStream, in, MAIN_CLASS);
        try {
            return PeersCli.commandLine(context).execute(args);
        } finally {
            outStream.flush();
            errStream.flush();
        }
    }

    /** Writes an executable shell script (a fake {@code claude} or {@code systemctl}) into HOME/bin. */
    static Path fakeTool(Path home, String name, String body) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path script = bin.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        if (!script.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + script + " executable");
        }
        return script;
    }
}
