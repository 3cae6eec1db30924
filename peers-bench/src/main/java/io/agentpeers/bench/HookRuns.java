package io.agentpeers.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command a Claude Code hook runs per prompt and per stop ({@code node peers-hook.cjs SOCKET}, as
 * {@code peers install claude-code} writes it), timed from launch to exit against the bench's broker; and
 * {@code node -e 0}, the floor. The script is the one in peers-cli's jar, copied into the broker's home.
 */
final class HookRuns {
    private static final String SCRIPT = "/io/agentpeers/cli/peers-hook.cjs";
    private static final long EXIT_WAIT_SECONDS = 10;

    private final Path node;
    private final Path script;
    private final Path socket;
    private final String missing;

    private HookRuns(Path node, Path script, Path socket, String missing) {
        this.node = node;
        this.script = script;
        this.socket = socket;
        this.missing = missing;
    }

    /** The hook against {@code commands}' broker, or one that says why it cannot run. */
    static HookRuns find(PeersCommands commands) {
        Path node = onPath("node");
        if (node == null) {
            return new HookRuns(null, null, null, "no node on PATH");
        }
        try (InputStream in = HookRuns.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                return new HookRuns(null, null, null, SCRIPT + " is not on the bench's class path");
            }
            Path script = commands.broker().home().resolve("peers-hook.cjs");
            Files.write(script, in.readAllBytes());
            return new HookRuns(node, script, commands.broker().unix().socket(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why the hook cannot run here, or null. */
    String missing() {
        return missing;
    }

    /** {@code node -e 0}, launch to exit, in nanoseconds. */
    long nodeFloor() {
        return toExit(List.of(node.toString(), "-e", "0"), "");
    }

    /**
     * The hook for {@code event} ({@code UserPromptSubmit}, {@code Stop}, {@code PreToolUse}: an {@code Edit}
     * whose file the hook asks the broker about), launch to exit, in nanoseconds.
     */
    long run(String event) {
        String edit = event.equals("PreToolUse")
                ? ",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"/bench/repo/src/Main.java\"}"
                : "";
        String input = "{\"session_id\":\"bench\",\"hook_event_name\":\"" + event
                + "\",\"stop_hook_active\":false,\"cwd\":\"/bench/repo\"" + edit + "}";
        return toExit(List.of(node.toString(), script.toString(), socket.toString()), input);
    }

    private static long toExit(List<String> command, String input) {
        long start = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // it may exit before reading: the time still counts
        }
        try {
            if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(command + " did not exit within " + EXIT_WAIT_SECONDS + " s");
            }
            return System.nanoTime() - start;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static Path onPath(String name) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(folder.isEmpty() ? "." : folder, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
