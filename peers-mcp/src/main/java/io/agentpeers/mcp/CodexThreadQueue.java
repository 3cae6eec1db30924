package io.agentpeers.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue of the interactive Codex session that started this server, written with Codex's own
 * {@code codex queue --thread <id> --message <text>} (seen in Codex 0.171.0): an idle session runs a queued
 * message as a new turn at once, a busy one after its current turn.
 *
 * <p>Interactive Codex runs its MCP servers under an app-server ({@code codex app-server ...}) that may serve
 * several sessions, each with a server of its own, and gives them no session id in their environment. Codex
 * names the session in each {@code tools/call}'s {@code _meta.threadId}, so this wake is {@link #ready()}
 * from the first tool call on: before it, nothing is written. The thread id comes only from this server's
 * own client, so a nudge never goes to another session. {@code codex exec} is not served by an app-server
 * and gets no wake (a queued message would wait for the next interactive resume of that thread).
 *
 * <p>The program is the app-server's own executable (the same multi-call {@code codex} binary), run with
 * only {@code HOME}, {@code PATH} and the app-server's {@code CODEX_HOME}; the nudge is an argument, not a
 * shell word. A run that does not end in time, or ends other than with status 0, is reported as not
 * written. Any thread may call.
 */
final class CodexThreadQueue implements SessionWake {
    private static final Logger LOG = LoggerFactory.getLogger(CodexThreadQueue.class);
    /** Codex thread ids are UUIDs; anything else is not passed to a program. */
    private static final Pattern THREAD =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static final int OUTPUT_KEPT = 300;

    private final Path codex;
    private final Map<String, String> environment;
    private volatile String thread;

    CodexThreadQueue(Path codex, Map<String, String> environment) {
        this.codex = Objects.requireNonNull(codex, "codex");
        this.environment = Map.copyOf(environment);
    }

    /**
     * The queue of the session served by {@code parent}, when {@code parent} is a Codex app-server: its
     * argument list starts {@code codex app-server}. Reads {@code /proc} under {@code proc}.
     *
     * @param own this process's environment, for {@code HOME} and {@code PATH}
     */
    static Optional<CodexThreadQueue> underAppServer(Path proc, long parent, Map<String, String> own) {
        Path process = proc.resolve(Long.toString(parent));
        try {
            List<String> arguments = nulSeparated(Files.readAllBytes(process.resolve("cmdline")));
            if (arguments.size() < 2
                    || !"app-server".equals(arguments.get(1))
                    || !Path.of(arguments.get(0)).getFileName().toString().equals("codex")) {
                return Optional.empty();
            }
            Path program = process.resolve("exe").toRealPath();
            Map<String, String> environment = new java.util.HashMap<>();
            copy(own, environment, "HOME");
            copy(own, environment, "PATH");
            for (String entry : nulSeparated(Files.readAllBytes(process.resolve("environ")))) {
                if (entry.startsWith("CODEX_HOME=")) {
                    environment.put("CODEX_HOME", entry.substring("CODEX_HOME=".length()));
                }
            }
            return Optional.of(new CodexThreadQueue(program, environment));
        } catch (IOException | RuntimeException e) {
            LOG.debug("parent {} is not a Codex app-server this server can read: {}", parent, e.toString());
            return Optional.empty();
        }
    }

    @Override
    public boolean ready() {
        return thread != null;
    }

    /** The thread a tool call's {@code _meta} names (Codex 0.171.0 sends {@code threadId}, a UUID), or null. */
    static String threadOf(Map<String, Object> meta) {
        Object id = meta == null ? null : meta.get("threadId");
        return id instanceof String text && THREAD.matcher(text).matches() ? text : null;
    }

    /** Takes the thread id from a tool call's {@code _meta}. */
    @Override
    public boolean learn(Map<String, Object> meta) {
        String text = threadOf(meta);
        if (text == null || thread != null) {
            return false;
        }
        thread = text;
        LOG.info("Codex names this session thread {}: new messages wake it through `codex queue`", text);
        return true;
    }

    @Override
    public Outcome deliver(InboxNudge nudge, Duration timeout) {
        Objects.requireNonNull(nudge, "nudge");
        String id = thread;
        if (id == null) {
            return Outcome.notWritten("Codex has not named this session's thread yet (no tool call so far)");
        }
        ProcessBuilder builder = new ProcessBuilder(
                        codex.toString(), "queue", "--thread", id, "--message", nudge.text())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = null;
        try {
            process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Outcome.notWritten("`codex queue` did not finish within " + timeout.toMillis() + " ms");
            }
            String output = new String(process.getInputStream().readNBytes(OUTPUT_KEPT), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                return Outcome.notWritten("`codex queue` failed with status " + process.exitValue() + ": "
                        + output.strip().replaceAll("\\p{Cntrl}", " "));
            }
            return Outcome.WRITTEN;
        } catch (IOException e) {
            return Outcome.notWritten("cannot run " + codex + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.notWritten("interrupted while `codex queue` ran");
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static void copy(Map<String, String> from, Map<String, String> to, String name) {
        String value = from.get(name);
        if (value != null) {
            to.put(name, value);
        }
    }

    private static List<String> nulSeparated(byte[] bytes) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            parts.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return parts;
    }

    @Override
    public String toString() {
        return "Codex's queue for this session (" + codex + " queue)";
    }
}
