package io.agentpeers.cli;

import io.agentpeers.protocol.PeersPaths;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a command may see of the world: the environment, the user's home, the working directory, the
 * standard streams, and how to run this program again (for the broker it starts and the MCP entries it
 * installs). Commands read nothing from {@code System} directly, so that a process runs with the
 * environment it was given.
 *
 * @param env       the environment variables
 * @param userHome  {@code $HOME} (Java's {@code user.home} ignores it)
 * @param cwd       the working directory
 * @param mainClass the class whose {@code main} runs this CLI (the app's composition root)
 */
public record CliContext(
        Map<String, String> env,
        Path userHome,
        Path cwd,
        PrintStream out,
        PrintStream err,
        InputStream in,
        String mainClass) {

    public CliContext {
        env = Map.copyOf(env);
        Objects.requireNonNull(userHome, "userHome");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(mainClass, "mainClass");
    }

    /** This process's own environment and streams. */
    public static CliContext system(String mainClass) {
        Map<String, String> env = System.getenv();
        String home = env.get("HOME");
        Path userHome = Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home);
        return new CliContext(
                env, userHome, Path.of("").toAbsolutePath(), System.out, System.err, System.in, mainClass);
    }

    /** The broker's files, from {@code PEERS_HOME} and friends. */
    public PeersPaths paths() {
        return PeersPaths.from(env, userHome);
    }

    /**
     * The command that runs this CLI: the launcher script when it said where it is ({@code PEERS_LAUNCHER}),
     * else this JVM's java with its class path and main class.
     */
    public List<String> selfCommand() {
        String launcher = env.get("PEERS_LAUNCHER");
        List<String> command = new ArrayList<>();
        if (launcher != null && !launcher.isBlank()) {
            command.add(launcher);
            return command;
        }
        command.add(javaCommand());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        return command;
    }

    /** This JVM's java executable. */
    public static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Whether to colour output: a terminal, and no {@code NO_COLOR}. */
    public boolean colour() {
        return System.console() != null && !env.containsKey("NO_COLOR") && !"dumb".equals(env.get("TERM"));
    }

    /** Finds an executable on {@code PATH} (no shell, no {@code which}). */
    public Path findExecutable(String name) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
