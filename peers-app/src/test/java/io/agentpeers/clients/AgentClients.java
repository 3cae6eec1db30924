package io.agentpeers.clients;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real agent clients for the tests, pinned by version and installed from the npm registry into a folder of
 * the build ({@code target/agent-clients/<package>@<version>}), never globally: once per build, reused while
 * the folder is there. A test that needs one is aborted (skipped, with the reason) when npm or the registry is
 * not there. The install goes to a {@code .partial} folder first, so a killed install is never reused.
 */
final class AgentClients {
    static final String CODEX = "@openai/codex";
    static final String CODEX_VERSION = "0.171.0";
    static final String CLAUDE_CODE = "@anthropic-ai/claude-code";
    /** By number: on Node 20 a plain install picks an older release (newer ones ask for Node 22). */
    static final String CLAUDE_CODE_VERSION = "2.1.332";

    /** Drives headless Chromium for the dashboard's browser tests; its own browser download is never used. */
    static final String PLAYWRIGHT = "playwright-core";

    static final String PLAYWRIGHT_VERSION = "1.65.1";

    private static final long INSTALL_MINUTES = 5;

    private AgentClients() {}

    /** Codex's {@code codex} command. */
    static Path codex() {
        return install(CODEX, CODEX_VERSION, "codex");
    }

    /** Claude Code's {@code claude} command (a native executable in 2.1.332: npm installs it, node does not run it). */
    static Path claude() {
        return install(CLAUDE_CODE, CLAUDE_CODE_VERSION, "claude");
    }

    /** The {@code node_modules} folder holding playwright-core, for {@code NODE_PATH}. */
    static Path playwrightModules() {
        return install(PLAYWRIGHT, PLAYWRIGHT_VERSION, "playwright-core")
                .getParent()
                .getParent();
    }

    /**
     * The executable {@code bin} of {@code pkg@version}, installed when missing. Test JVMs run side by side
     * (failsafe forks two): a file lock makes one of them install while the other waits, so that neither
     * replaces a folder the other's client runs from.
     */
    static synchronized Path install(String pkg, String version, String bin) {
        Path dir = root().resolve(pkg.replace('/', '+') + "@" + version);
        try {
            Files.createDirectories(root());
            try (FileChannel lockFile = FileChannel.open(
                            dir.resolveSibling(dir.getFileName() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock ignored = lockFile.lock()) {
                return installLocked(pkg, version, bin, dir);
            }
        } catch (IOException e) {
            return abort("cannot install " + pkg + "@" + version + ": " + e);
        }
    }

    private static Path installLocked(String pkg, String version, String bin, Path dir) {
        Path executable = dir.resolve("node_modules/.bin").resolve(bin);
        if (Files.isExecutable(executable)) {
            return executable;
        }
        Path npm = onPath("npm");
        if (npm == null) {
            abort("no npm on PATH to install " + pkg + "@" + version);
        }
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        try {
            deleteTree(partial);
            Files.createDirectories(partial);
            Path log = partial.resolveSibling(dir.getFileName() + ".npm.log");
            Process npmRun = new ProcessBuilder(
                            npm.toString(),
                            "install",
                            "--prefix",
                            partial.toString(),
                            "--no-audit",
                            "--no-fund",
                            "--no-save",
                            pkg + "@" + version)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            try {
                if (!npmRun.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES)) {
                    abort("npm install " + pkg + "@" + version + " took over " + INSTALL_MINUTES + " min; see " + log);
                }
            } finally {
                npmRun.descendants().forEach(ProcessHandle::destroyForcibly);
                npmRun.destroyForcibly();
            }
            if (npmRun.exitValue() != 0) {
                String said = Files.readString(log, StandardCharsets.UTF_8).strip();
                abort("npm install " + pkg + "@" + version + " failed (is the registry reachable?): "
                        + said.substring(Math.max(0, said.length() - 400)));
            }
            deleteTree(dir);
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            abort("cannot install " + pkg + "@" + version + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort("interrupted while installing " + pkg + "@" + version);
        }
        if (!Files.isExecutable(executable)) {
            abort(pkg + "@" + version + " installed without " + executable);
        }
        return executable;
    }

    private static Path root() {
        String basedir = System.getProperty("basedir");
        Path module = basedir == null ? Path.of("") : Path.of(basedir);
        return module.toAbsolutePath().resolve("target/agent-clients");
    }

    /**
     * Runs {@code peers install codex} as a user would, in a child JVM of this test's class path, with only
     * these folders in its environment; returns what it printed, after checking that it succeeded.
     */
    static String installCodex(Path home, Path peersHome, Path codexHome) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                io.agentpeers.app.Main.class.getName(),
                "install",
                "codex"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment()
                .putAll(Map.of(
                        "HOME", home.toString(),
                        "PEERS_HOME", peersHome.toString(),
                        "CODEX_HOME", codexHome.toString(),
                        "PATH", "/usr/bin:/bin"));
        Process process = builder.start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("peers install codex failed: " + out);
            }
            return out;
        } finally {
            process.destroyForcibly();
        }
    }

    /** The java command of this JVM, for the children a test starts. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** {@code word} in single quotes for {@code sh}. */
    static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Nearest rank: the smallest value that at least {@code percent}% of the values do not exceed. */
    static long percentile(List<Long> sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = paths.sorted(Comparator.reverseOrder()).toList();
            for (Path path : all) {
                Files.delete(path);
            }
        }
    }
}
