package io.agentpeers.clients;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One interactive program in a tmux session of a tmux server of the test's own (its socket in the test's
 * folder), for the real agent clients: start, type, read the screen, and end everything it started, by pid.
 */
final class TmuxSession implements AutoCloseable {
    private final Path socket;
    private final Path home;
    private final String name;
    private final List<ProcessHandle> seen = new ArrayList<>();
    private boolean started;

    /** @param home the HOME tmux itself runs with (never the user's) */
    TmuxSession(Path socket, Path home, String name) {
        this.socket = socket;
        this.home = home;
        this.name = name;
    }

    /** Starts {@code command} (a {@code sh} line) in {@code cwd}, in a 200x50 window; returns the pane's pid. */
    long start(Path cwd, String command) throws Exception {
        started = true;
        tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", "-c", cwd.toString(), command);
        return Long.parseLong(
                tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip());
    }

    /** Types {@code text} literally, then Enter as a key of its own (a TUI may take a pasted newline as text). */
    void type(String text) throws Exception {
        tmux("send-keys", "-t", name, "-l", text);
        Thread.sleep(300);
        tmux("send-keys", "-t", name, "Enter");
    }

    /** The screen now, or why there is none. */
    String pane() {
        try {
            return tmux("capture-pane", "-p", "-t", name);
        } catch (Exception | AssertionError e) {
            return "(no pane: " + e.getMessage() + ")";
        }
    }

    /**
     * Remembers the session's processes as they are now (tmux, the program, its children): a child that the
     * program leaves running when it ends (Codex's app-server) is no longer below the pane then.
     */
    void rememberProcesses() {
        try {
            String pids = tmux("display-message", "-p", "-t", name, "#{pid} #{pane_pid}")
                    .strip();
            for (String pid : pids.split(" ")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                    seen.add(p);
                    p.descendants().forEach(seen::add);
                });
            }
        } catch (Exception | AssertionError e) {
            System.err.println("[" + name + "] no tmux session to look into: " + e.getMessage());
        }
    }

    /** Kills the tmux server, then every process of the session seen so far that is still running 10 s later. */
    @Override
    public void close() throws Exception {
        if (!started || !Files.exists(socket)) {
            return;
        }
        rememberProcesses();
        try {
            tmux("kill-server");
        } catch (AssertionError e) {
            System.err.println("[" + name + "] tmux kill-server: " + e.getMessage());
        }
        List<String> left = new ArrayList<>();
        for (ProcessHandle process : seen.stream().distinct().toList()) {
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                left.add(process.pid() + " " + process.info().command().orElse("?"));
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        System.err.println("[" + name + "] ended the tmux server; "
                + seen.stream().distinct().count() + " processes of the session"
                + (left.isEmpty() ? " ended with it" : ", killed 10 s later: " + left));
    }

    String tmux(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(Map.of("HOME", home.toString(), "PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"));
        Process process = builder.start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } finally {
            process.destroyForcibly();
        }
    }
}
