package io.agentpeers.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code peers install claude-code|codex|service}: idempotent, with backups, {@code --dry-run} shows only. */
final class InstallCommands {
    static final String CHANNEL_HINT = "claude --dangerously-load-development-channels server:peers";
    private static final long TOOL_TIMEOUT_SECONDS = 60;

    private InstallCommands() {}

    @Command(
            name = "install",
            description = "Add peers to Claude Code or Codex, or install the broker as a user service.",
            subcommands = {ClaudeCode.class, Codex.class, Service.class})
    static final class Install extends BaseCommand {
        @Override
        protected int run() {
            spec.commandLine().usage(context().err());
            return CliFailure.USAGE;
        }
    }

    /** Options every installer shares. */
    abstract static class Installer extends BaseCommand {
        @Option(names = "--dry-run", description = "Print the change; change nothing.")
        boolean dryRun;

        @Option(names = "--force", description = "Replace an existing, different peers entry (a backup is kept).")
        boolean force;

        /** The MCP server command for this client type. */
        List<String> mcpCommand(String clientType) {
            List<String> command = new ArrayList<>(context().selfCommand());
            command.add("mcp");
            command.add("--client-type");
            command.add(clientType);
            return command;
        }

        /** Environment the MCP server needs beyond the agent's: only what the user set for peers. */
        Map<String, String> peersEnv() {
            Map<String, String> env = new LinkedHashMap<>();
            for (String name : List.of(
                    "PEERS_HOME", "PEERS_SOCKET", "PEERS_TCP_URL", "PEERS_TLS_CERT", "PEERS_TLS_KEY", "PEERS_TLS_CA")) {
                String value = context().env().get(name);
                if (value != null && !value.isBlank()) {
                    env.put(name, value);
                }
            }
            if (connection.home != null) {
                env.put("PEERS_HOME", connection.home.toAbsolutePath().toString());
            }
            return env;
        }

        /** What a second step (Claude Code's hooks) did: a member of the JSON report, and lines for the text. */
        ObjectNode alsoReport;

        List<String> alsoLines = List.of();

        void addAlso(ObjectNode report) {
            if (alsoReport != null) {
                report.set("hooks", alsoReport);
            }
        }

        /** Applies (or previews) an edit and reports it; returns the exit code. */
        int finish(ConfigEdit edit, CodexConfig.Result result, List<String> afterwards) {
            Terminal out = terminal();
            ObjectNode report = JsonNodeFactory.instance.objectNode();
            report.put("file", edit.file().toString());
            report.put("outcome", result.outcome().name().toLowerCase(Locale.ROOT));
            report.put("detail", result.detail());
            report.put("dry_run", dryRun);
            Path backup = null;
            if (result.outcome() == CodexConfig.Outcome.CONFLICT) {
                if (json) {
                    addAlso(report);
                    out.json(report);
                } else {
                    alsoLines.forEach(out::println);
                }
                throw new CliFailure(edit.file() + ": " + result.detail());
            }
            if (edit.changes()) {
                if (dryRun) {
                    if (!json) {
                        out.println("dry run, nothing written; the change (" + result.detail() + "):");
                        out.out().print(edit.preview());
                    }
                } else {
                    backup = edit.apply();
                    if (!json) {
                        out.println(edit.file() + ": " + result.detail()
                                + (backup == null ? "" : " (backup: " + backup + ")"));
                    }
                }
            } else if (!json) {
                out.println(edit.file() + ": " + result.detail() + "; nothing to do");
            }
            report.put("backup", backup == null ? null : backup.toString());
            if (json) {
                addAlso(report);
                out.json(report);
            } else {
                alsoLines.forEach(out::println);
                afterwards.forEach(out::println);
            }
            return 0;
        }
    }

    @Command(name = "claude-code", description = "Add the peers MCP server and hooks to Claude Code (user scope).")
    static final class ClaudeCode extends Installer {
        @Option(
                names = "--no-hooks",
                description =
                        "Leave Claude Code's settings.json alone: no prompt, stop, session-start and edit hooks, and"
                                + " no rules that let the peers tools (but kill_peer) run without a prompt.")
        boolean noHooks;

        @Option(
                names = "--block-claimed-edits",
                description = "Make the edit hook deny an edit of a file another live peer claims (claim_paths),"
                        + " instead of only telling the agent.")
        boolean blockClaimedEdits;

        @Override
        protected int run() throws IOException, InterruptedException {
            hooks();
            List<String> command = mcpCommand("claude-code");
            Map<String, String> env = peersEnv();
            List<String> afterwards = List.of(
                    "start Claude Code as usual: peers wakes an idle session with a short note to call"
                            + " check_messages;",
                    "the research-preview channel flag also pushes each message into the session:",
                    "  " + CHANNEL_HINT);
            Path claude = context().findExecutable("claude");
            if (claude != null) {
                return withClaudeCli(claude, command, env, afterwards);
            }
            Path file = ClaudeFiles.state(context());
            String before = ConfigEdit.read(file);
            CodexConfig.Result result = ClaudeConfig.plan(before, ClaudeConfig.entry(command, env), force);
            return finish(new ConfigEdit(file, before, result.text(), result.detail()), result, afterwards);
        }

        private int withClaudeCli(Path claude, List<String> command, Map<String, String> env, List<String> afterwards)
                throws IOException, InterruptedException {
            Terminal out = terminal();
            // The name before -e: Claude Code 2.1.332's -e takes every word up to the next option, so a name
            // after it is read as one more variable ("Invalid environment variable format: peers").
            List<String> add = new ArrayList<>(List.of(claude.toString(), "mcp", "add", "--scope", "user", "peers"));
            env.forEach((k, v) -> add.addAll(List.of("-e", k + "=" + v)));
            add.add("--");
            add.addAll(command);
            Exec present = exec(List.of(claude.toString(), "mcp", "get", "peers"));
            boolean exists = present.code == 0;
            String outcome;
            if (exists && !force) {
                outcome = "unchanged";
            } else if (dryRun) {
                outcome = exists ? "would_replace" : "would_add";
            } else {
                if (exists) {
                    Exec removed = exec(List.of(claude.toString(), "mcp", "remove", "--scope", "user", "peers"));
                    if (removed.code != 0) {
                        throw new CliFailure(
                                "`claude mcp remove peers` failed: " + removed.firstLine() + "; remove it by hand");
                    }
                }
                Exec added = exec(add);
                if (added.code != 0) {
                    throw new CliFailure(
                            "`claude mcp add` failed: " + added.firstLine() + "; run it by hand: " + shell(add));
                }
                outcome = exists ? "replaced" : "added";
            }
            if (json) {
                ObjectNode report = JsonNodeFactory.instance
                        .objectNode()
                        .put("via", "claude")
                        .put("outcome", outcome)
                        .put("command", shell(add))
                        .put("dry_run", dryRun);
                addAlso(report);
                out.json(report);
                return 0;
            }
            switch (outcome) {
                case "unchanged" ->
                    out.println("Claude Code already has an MCP server named peers (`claude mcp get peers`);"
                            + " nothing to do (--force replaces it)");
                case "would_add", "would_replace" -> out.println("would run: " + shell(add));
                default -> out.println("ran: " + shell(add));
            }
            alsoLines.forEach(out::println);
            afterwards.forEach(out::println);
            return 0;
        }

        /**
         * Without hooks, still the permission rules ({@link ClaudePermissions}): a session the MCP server wakes
         * reads its messages without a prompt only with them. Reported under {@code permissions}.
         */
        private void permissionsOnly(ObjectNode report, List<String> lines) {
            Path settings = ClaudeFiles.settings(context());
            String before = ConfigEdit.read(settings);
            CodexConfig.Result result = ClaudePermissions.plan(before);
            ConfigEdit edit = new ConfigEdit(settings, before, result.text(), result.detail());
            ObjectNode rules = report.putObject("permissions")
                    .put("file", settings.toString())
                    .put("outcome", result.outcome().name().toLowerCase(Locale.ROOT))
                    .put("detail", result.detail());
            if (result.outcome() == CodexConfig.Outcome.CONFLICT || !edit.changes()) {
                lines.add("permissions: " + settings + ": " + result.detail()
                        + (result.outcome() == CodexConfig.Outcome.CONFLICT ? "; no rules added" : "; nothing to do"));
                return;
            }
            if (dryRun) {
                lines.add("permissions: dry run, nothing written; the change (" + result.detail() + "):");
                lines.add(edit.preview().stripTrailing());
                return;
            }
            try {
                Path backup = edit.apply();
                rules.put("backup", backup == null ? null : backup.toString());
                lines.add("permissions: " + settings + ": " + result.detail()
                        + (backup == null ? "" : " (backup: " + backup + ")"));
            } catch (CliFailure e) {
                rules.put("outcome", "failed").put("detail", e.getMessage());
                lines.add("permissions: none added: " + e.getMessage());
            }
        }

        /**
         * Writes the hook script to {@code $PEERS_HOME/hooks} and adds it to Claude Code's settings.json for
         * UserPromptSubmit, Stop and SessionStart (or says why not: --no-hooks, no node, TCP). Never fails the
         * install: the MCP server works without hooks. Fills {@link #alsoReport} and {@link #alsoLines}.
         */
        private void hooks() {
            ObjectNode report = JsonNodeFactory.instance.objectNode();
            alsoReport = report;
            List<String> lines = new ArrayList<>();
            alsoLines = lines;
            if (noHooks) {
                report.put("outcome", "skipped").put("detail", "--no-hooks");
                lines.add("hooks: none installed (--no-hooks)");
                return;
            }
            PeersPaths paths = paths();
            if (paths.tcpUrl() != null) {
                String why = "the hooks need the broker's Unix socket, and PEERS_TCP_URL names a TCP broker";
                report.put("outcome", "skipped").put("detail", why);
                lines.add("hooks: none installed: " + why);
                permissionsOnly(report, lines);
                return;
            }
            Path node = context().findExecutable("node");
            if (node == null) {
                String why = "no node on PATH; the hooks are a Node script (a JVM would add 0.3-0.5 s to every prompt"
                        + " and stop), so install Node and run this again. Without hooks an idle session is still"
                        + " woken through the MCP server";
                report.put("outcome", "skipped").put("detail", why);
                lines.add("hooks: none installed: " + why);
                permissionsOnly(report, lines);
                return;
            }
            Path script = paths.home().toAbsolutePath().resolve("hooks").resolve(ClaudeHooks.SCRIPT_NAME);
            String scriptBefore = ConfigEdit.read(script);
            String scriptText = ClaudeHooks.script();
            boolean scriptChanges = !scriptText.equals(scriptBefore);
            Path settings = ClaudeFiles.settings(context());
            String before = ConfigEdit.read(settings);
            String command = ClaudeHooks.command(node, script, paths.socket().toAbsolutePath(), blockClaimedEdits);
            CodexConfig.Result result = ClaudePermissions.after(ClaudeHooks.plan(before, command));
            ConfigEdit edit = new ConfigEdit(settings, before, result.text(), result.detail());
            report.put("file", settings.toString())
                    .put("script", script.toString())
                    .put("command", command)
                    .put("outcome", result.outcome().name().toLowerCase(Locale.ROOT))
                    .put("detail", result.detail())
                    .put("dry_run", dryRun);
            if (result.outcome() == CodexConfig.Outcome.CONFLICT) {
                lines.add("hooks: " + settings + ": " + result.detail() + "; no hooks installed");
                return;
            }
            if (dryRun) {
                lines.add(scriptChanges ? "hooks: would write " + script : "hooks: " + script + " is up to date");
                if (edit.changes()) {
                    lines.add("hooks: dry run, nothing written; the change (" + result.detail() + "):");
                    lines.add(edit.preview().stripTrailing());
                } else {
                    lines.add("hooks: " + settings + ": " + result.detail() + "; nothing to do");
                }
                return;
            }
            if (scriptChanges) {
                try {
                    PrivateFiles.requireFolder(paths.home(), "PEERS_HOME");
                    Files.createDirectories(script.getParent());
                    FileReplace.replace(script, scriptText, StandardCharsets.UTF_8, null);
                } catch (IOException | RuntimeException e) {
                    String why = "cannot write the hook script " + script + ": " + e.getMessage()
                            + "; check PEERS_HOME, then run this again (or install with --no-hooks)";
                    report.put("outcome", "failed").put("detail", why);
                    lines.add("hooks: none installed: " + why);
                    return;
                }
                lines.add("hooks: wrote " + script);
            }

            if (edit.changes()) {
                Path backup;
                try {
                    backup = edit.apply();
                } catch (CliFailure e) {
                    report.put("outcome", "failed").put("detail", e.getMessage());
                    lines.add("hooks: none installed: " + e.getMessage());
                    return;
                }
                report.put("backup", backup == null ? null : backup.toString());
                lines.add("hooks: " + settings + ": " + result.detail() + " (runs: " + command + ")"
                        + (backup == null ? "" : " (backup: " + backup + ")"));
                removeOldScript(script, lines);
            } else {
                lines.add("hooks: " + settings + ": " + result.detail() + "; nothing to do");
            }
        }
    }

    /** The ES-module script of earlier versions, once the settings no longer name it. */
    private static void removeOldScript(Path script, List<String> lines) {
        Path old = script.resolveSibling(ClaudeHooks.OLD_SCRIPT_NAME);
        try {
            if (Files.deleteIfExists(old)) {
                lines.add("hooks: removed the old " + old);
            }
        } catch (IOException e) {
            lines.add("hooks: cannot remove the old " + old + ": " + e.getMessage());
        }
    }

    @Command(name = "codex", description = "Add the peers MCP server to Codex (~/.codex/config.toml, or CODEX_HOME).")
    static final class Codex extends Installer {
        @Override
        protected int run() {
            String codexHome = context().env().get("CODEX_HOME");
            Path dir = codexHome == null || codexHome.isBlank()
                    ? context().userHome().resolve(".codex")
                    : Path.of(codexHome);
            Path file = dir.resolve("config.toml");
            String before = ConfigEdit.read(file);
            String section = CodexConfig.section(mcpCommand("codex"), peersEnv());
            CodexConfig.Result result = CodexConfig.plan(before, section, force);
            return finish(
                    new ConfigEdit(file, before, result.text(), result.detail()),
                    result,
                    List.of(
                            CodexConfig.approvals(),
                            "start Codex as usual (`codex`); the peers tools appear in its tool list (`/mcp` shows them)",
                            "an interactive Codex session is woken by a queued note (`codex queue`) when a message"
                                    + " arrives, once its first peers tool call has named its thread; `codex exec`"
                                    + " is not: its agent calls wait_for_messages (capped under Codex's "
                                    + TOOL_TIMEOUT_SECONDS + " s tool timeout) or check_messages"));
        }
    }

    @Command(
            name = "service",
            description = "Keep the broker running: a systemd user unit (Linux) or a launchd agent (macOS).")
    static final class Service extends Installer {
        @Option(names = "--platform", paramLabel = "OS", description = "linux or macos (default: this machine's).")
        String platform;

        @Option(names = "--no-enable", description = "Write the file only; do not enable or start the service.")
        boolean noEnable;

        @Override
        protected int run() throws IOException, InterruptedException {
            String os = platform != null
                    ? platform.toLowerCase(Locale.ROOT)
                    : System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "macos" : "linux";
            PeersPaths paths = paths();
            List<String> command = BrokerCommands.brokerCommand(context());
            Path file;
            String text;
            List<List<String>> enable;
            if (os.equals("linux")) {
                String xdg = context().env().get("XDG_CONFIG_HOME");
                Path config =
                        xdg == null || xdg.isBlank() ? context().userHome().resolve(".config") : Path.of(xdg);
                file = config.resolve("systemd/user/peers-broker.service");
                text = systemdUnit(command, paths, javaHome(context()));
                enable = List.of(
                        List.of("systemctl", "--user", "daemon-reload"),
                        List.of("systemctl", "--user", "enable", "--now", "peers-broker.service"));
            } else if (os.equals("macos")) {
                file = context().userHome().resolve("Library/LaunchAgents/io.agentpeers.broker.plist");
                text = launchdPlist(command, paths, javaHome(context()));
                enable = List.of(List.of("launchctl", "load", "-w", file.toString()));
            } else {
                throw CliFailure.usage("unknown platform '" + platform + "'; use linux or macos");
            }
            String before = ConfigEdit.read(file);
            CodexConfig.Outcome outcome = before == null
                    ? CodexConfig.Outcome.ADDED
                    : before.equals(text) ? CodexConfig.Outcome.UNCHANGED : CodexConfig.Outcome.REPLACED;
            String detail = switch (outcome) {
                case ADDED -> "wrote the service file";
                case UNCHANGED -> "the service file is up to date";
                default -> "updated the service file";
            };
            CodexConfig.Result result = new CodexConfig.Result(outcome, text, detail);
            List<String> steps = enable.stream().map(s -> String.join(" ", s)).toList();
            if (dryRun || noEnable) {
                return finish(
                        new ConfigEdit(file, before, text, detail),
                        result,
                        List.of((dryRun ? "would then run: " : "enable it with: ") + String.join(" && ", steps)));
            }
            finish(new ConfigEdit(file, before, text, detail), result, List.of());
            for (List<String> step : enable) {
                Path tool = context().findExecutable(step.get(0));
                if (tool == null) {
                    throw new CliFailure("no " + step.get(0) + " on PATH to enable the service; the file " + file
                            + " is written, run `" + String.join(" && ", steps) + "` where it is");
                }
                List<String> full = new ArrayList<>(step);
                full.set(0, tool.toString());
                Exec ran = exec(full);
                if (ran.code != 0) {
                    throw new CliFailure("`" + String.join(" ", step) + "` failed: " + ran.firstLine() + "; the file "
                            + file + " is written, run the command in your login session");
                }
                if (!json) {
                    terminal().println("ran: " + String.join(" ", step));
                }
            }
            if (!json) {
                terminal()
                        .println("the service keeps a broker running; a broker started by hand holds the lock:"
                                + " stop it first (`peers broker stop`)");
            }
            return 0;
        }

        /**
         * The Java the launcher script should run under the service manager, whose PATH (systemd's, launchd's)
         * lacks the SDKMAN or asdf folder a login shell has: JAVA_HOME when it holds a java, as the script
         * itself prefers it, else this JVM's home.
         */
        static Path javaHome(CliContext context) {
            String fromEnv = context.env().get("JAVA_HOME");
            if (fromEnv != null && !fromEnv.isBlank() && Files.isExecutable(Path.of(fromEnv, "bin", "java"))) {
                return Path.of(fromEnv).toAbsolutePath();
            }
            return Path.of(System.getProperty("java.home"));
        }

        static String systemdUnit(List<String> command, PeersPaths paths, Path javaHome) {
            return "[Unit]\n"
                    + "Description=peers broker: a peer network for AI coding agents\n"
                    + "\n"
                    + "[Service]\n"
                    + "Type=simple\n"
                    + "ExecStart=" + command.stream().map(Service::systemdQuote).collect(Collectors.joining(" ")) + "\n"
                    + "Environment=" + systemdQuote("PEERS_HOME=" + paths.home()) + "\n"
                    + "Environment=" + systemdQuote("JAVA_HOME=" + javaHome) + "\n"
                    + "Restart=on-failure\n"
                    + "RestartSec=2\n"
                    + "\n"
                    + "[Install]\n"
                    + "WantedBy=default.target\n";
        }

        private static String systemdQuote(String word) {
            if (!word.isEmpty()
                    && word.chars().noneMatch(c -> c == ' ' || c == '"' || c == '\\' || c == '\'' || c == '%')) {
                return word;
            }
            return "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%") + "\"";
        }

        static String launchdPlist(List<String> command, PeersPaths paths, Path javaHome) {
            StringBuilder args = new StringBuilder();
            for (String word : command) {
                args.append("    <string>").append(xml(word)).append("</string>\n");
            }
            return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                    + "<plist version=\"1.0\">\n<dict>\n"
                    + "  <key>Label</key>\n  <string>io.agentpeers.broker</string>\n"
                    + "  <key>ProgramArguments</key>\n  <array>\n" + args + "  </array>\n"
                    + "  <key>EnvironmentVariables</key>\n  <dict>\n    <key>PEERS_HOME</key>\n    <string>"
                    + xml(paths.home().toString()) + "</string>\n"
                    + "    <key>JAVA_HOME</key>\n    <string>" + xml(javaHome.toString()) + "</string>\n  </dict>\n"
                    + "  <key>RunAtLoad</key>\n  <true/>\n"
                    + "  <key>KeepAlive</key>\n  <true/>\n"
                    + "  <key>StandardOutPath</key>\n  <string>"
                    + xml(paths.brokerLog().toString()) + "</string>\n"
                    + "  <key>StandardErrorPath</key>\n  <string>"
                    + xml(paths.brokerLog().toString()) + "</string>\n"
                    + "</dict>\n</plist>\n";
        }

        private static String xml(String text) {
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }

    record Exec(int code, String output) {
        String firstLine() {
            String line = output.strip().lines().findFirst().orElse("");
            return line.isEmpty() ? "exit code " + code : line;
        }
    }

    /** Runs a tool with a time limit; its output is captured, never shown on our stdout. */
    static Exec exec(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new CliFailure("`" + String.join(" ", command) + "` did not finish within 60 s; run it by hand");
            }
            return new Exec(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } finally {
            process.destroy();
        }
    }

    static String shell(List<String> words) {
        return words.stream()
                .map(w -> w.matches("[A-Za-z0-9_./:=@%+-]+") ? w : "'" + w.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    /**
     * The words of a command line {@link #shell} wrote (single quotes, a backslash outside them, blanks
     * between words), as {@code sh} reads them back.
     */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quoted) {
                if (c == '\'') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '\'') {
                quoted = true;
                word = word == null ? new StringBuilder() : word;
            } else if (c == '\\' && i + 1 < command.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(command.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
