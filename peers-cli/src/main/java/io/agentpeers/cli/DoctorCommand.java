package io.agentpeers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.NotPrivateException;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code peers doctor}: each check with a verdict and, when it is not fine, the fix. */
@Command(name = "doctor", description = "Check Java, the socket, the broker, the database and the agent configuration.")
final class DoctorCommand extends BaseCommand {
    enum Verdict {
        OK,
        INFO,
        WARN,
        FAIL
    }

    record Check(String name, Verdict verdict, String detail, String fix) {}

    @Override
    protected int run() {
        CliContext context = context();
        PeersPaths paths = paths();
        List<Check> checks = new ArrayList<>();
        int java = Runtime.version().feature();
        checks.add(
                java >= 17
                        ? new Check(
                                "java",
                                Verdict.OK,
                                "Java " + Runtime.version() + " at " + CliContext.javaCommand(),
                                null)
                        : new Check(
                                "java",
                                Verdict.FAIL,
                                "Java " + Runtime.version(),
                                "install a JDK 17 or newer and point JAVA_HOME at it"));
        checks.add(home(paths));
        checks.addAll(PostgresDoctor.checks(paths.databaseUrl(), context.env(), context.userHome()));
        BrokerStats stats = null;
        if (paths.tcpUrl() == null) {
            checks.add(socket(paths));
        }
        try (PeersClient client = BrokerAccess.connect(paths, false)) {
            stats = client.stats();
            String version = stats.brokerVersion();
            checks.add(
                    version.equals(PeersClient.VERSION)
                            ? new Check(
                                    "broker",
                                    Verdict.OK,
                                    "peers " + version + ", pid " + stats.pid() + ", "
                                            + client.brokerInfo().transport(),
                                    null)
                            : new Check(
                                    "broker",
                                    Verdict.WARN,
                                    "the broker runs peers " + version + ", this CLI " + PeersClient.VERSION,
                                    "restart it on this version: `peers broker stop && peers broker start`"));
        } catch (StoreUnavailableException e) {
            // It answered, so it runs; what it lacks is its database, which it reconnects to by itself.
            checks.add(new Check("broker", Verdict.OK, "running (it answered), but without its database", null));
            checks.add(new Check(
                    "database",
                    Verdict.FAIL,
                    Terminal.data(e.getMessage()),
                    "bring the database server (or the network to it) back: the broker reconnects by itself, no"
                            + " restart, and keeps what it acknowledged; an outage longer than its lease (15 s by"
                            + " default) stops it, and its service starts it again"));
        } catch (io.agentpeers.core.PeersException e) {
            checks.add(new Check(
                    "broker",
                    Verdict.FAIL,
                    e.getMessage(),
                    "`peers broker start` (an MCP server also starts one by itself)"));
        }
        if (stats != null) {
            checks.add(database(stats));
            int orphans = stats.orphans().size();
            checks.add(
                    orphans == 0
                            ? new Check("orphans", Verdict.OK, "none", null)
                            : new Check(
                                    "orphans",
                                    Verdict.WARN,
                                    orphans + " MCP server(s) whose agent died",
                                    "`peers cleanup`"));
        }
        checks.add(privateFile("cli secret", paths.home().resolve(CliPerson.SECRET_FILE)));
        checks.add(privateFile("tcp token", paths.tokenFile()));
        checks.addAll(TlsDoctor.checks(paths));
        checks.add(claudeConfig(context));
        checks.add(claudeHooks(context));
        checks.add(codexConfig(context));
        checks.add(new Check(
                "channel",
                Verdict.INFO,
                "Claude Code is woken by a note in its session inbox; it is pushed each message only with the"
                        + " channel flag",
                InstallCommands.CHANNEL_HINT));
        boolean failed = checks.stream().anyMatch(c -> c.verdict() == Verdict.FAIL);
        print(checks, failed);
        return failed ? CliFailure.FAILED : 0;
    }

    private void print(List<Check> checks, boolean failed) {
        Terminal out = terminal();
        if (json) {
            ObjectNode node = JsonNodeFactory.instance.objectNode().put("ok", !failed);
            ArrayNode list = node.putArray("checks");
            for (Check check : checks) {
                list.addObject()
                        .put("name", check.name())
                        .put("verdict", check.verdict().name().toLowerCase(Locale.ROOT))
                        .put("detail", check.detail())
                        .put("fix", check.fix());
            }
            out.json(node);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Check check : checks) {
            String verdict = switch (check.verdict()) {
                case OK -> out.green("ok");
                case INFO -> out.cyan("info");
                case WARN -> out.yellow("warn");
                case FAIL -> out.red("FAIL");
            };
            rows.add(List.of(
                    verdict,
                    check.name(),
                    check.detail() + (check.fix() == null ? "" : out.dim("  → " + check.fix()))));
        }
        out.table(List.of("", "CHECK", "RESULT"), rows);
        out.println(
                failed ? out.red("some checks failed") + ": apply the fixes above" : out.green("peers looks healthy"));
    }

    private static Check home(PeersPaths paths) {
        Path home = paths.home();
        if (!Files.isDirectory(home)) {
            return new Check(
                    "home",
                    Verdict.INFO,
                    home + " does not exist yet",
                    "the broker creates it (mode 0700) when it starts");
        }
        try {
            PrivateFiles.checkFolder(home, "PEERS_HOME");
        } catch (NotPrivateException e) {
            return new Check("home", Verdict.FAIL, e.getMessage(), null); // the broker refuses it: say so, and how
        } catch (IOException e) {
            return new Check(
                    "home", Verdict.WARN, "cannot read " + home + ": " + e.getMessage(), "check its permissions");
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(home);
            if (openToOthers(mode)) {
                return new Check(
                        "home",
                        Verdict.WARN,
                        home + " has mode " + PosixFilePermissions.toString(mode),
                        "chmod 700 " + home);
            }
            return new Check("home", Verdict.OK, home + " (" + PosixFilePermissions.toString(mode) + ")", null);
        } catch (IOException | UnsupportedOperationException e) {
            return new Check(
                    "home",
                    Verdict.WARN,
                    "cannot read the mode of " + home + ": " + e.getMessage(),
                    "check its permissions");
        }
    }

    private static Check socket(PeersPaths paths) {
        Path socket = paths.socket().toAbsolutePath();
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > 107) {
            return new Check(
                    "socket",
                    Verdict.FAIL,
                    socket + " is " + length + " bytes, more than a Unix socket allows (107)",
                    "set PEERS_SOCKET (or PEERS_HOME) to a shorter path");
        }
        SocketFileState state;
        try {
            state = SocketFiles.probe(socket);
        } catch (RuntimeException e) {
            return new Check(
                    "socket", Verdict.FAIL, e.getMessage(), "use TCP (PEERS_TCP on the broker, PEERS_TCP_URL here)");
        }
        return switch (state) {
            case LIVE -> new Check("socket", Verdict.OK, socket + " answers", null);
            case STALE ->
                new Check(
                        "socket",
                        Verdict.WARN,
                        socket + " is left from a broker that died",
                        "`peers broker start` replaces it");
            case ABSENT -> new Check("socket", Verdict.WARN, "no socket at " + socket, "`peers broker start`");
            case NOT_A_SOCKET ->
                new Check(
                        "socket",
                        Verdict.FAIL,
                        socket + " is not a socket",
                        "move that file away, or set PEERS_SOCKET");
        };
    }

    private static Check database(BrokerStats stats) {
        String database = stats.database();
        String detail = database + ": " + stats.peers().live() + " live peers, "
                + stats.messages().pending() + " pending messages";
        if (database.startsWith("/") && !Files.exists(Path.of(database))) {
            return new Check(
                    "database",
                    Verdict.WARN,
                    detail + ", but the file is missing",
                    "restart the broker (`peers broker stop && peers broker start`)");
        }
        return new Check("database", Verdict.OK, detail + " (the broker answered from it)", null);
    }

    private static Check privateFile(String name, Path file) {
        if (!Files.exists(file)) {
            return new Check(name, Verdict.INFO, "no " + file + " yet", null);
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            return openToOthers(mode)
                    ? new Check(
                            name,
                            Verdict.WARN,
                            file + " has mode " + PosixFilePermissions.toString(mode),
                            "chmod 600 " + file)
                    : new Check(name, Verdict.OK, file + " (" + PosixFilePermissions.toString(mode) + ")", null);
        } catch (IOException e) {
            return new Check(
                    name, Verdict.WARN, "cannot read " + file + ": " + e.getMessage(), "check its permissions");
        }
    }

    private static boolean openToOthers(Set<PosixFilePermission> mode) {
        return mode.stream()
                .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
    }

    private static Check claudeConfig(CliContext context) {
        Path file = ClaudeFiles.state(context);
        String text = ConfigEdit.read(file);
        if (text != null) {
            try {
                JsonNode root = new ObjectMapper().readTree(text);
                if (root != null && root.path("mcpServers").has("peers")) {
                    return new Check("claude code", Verdict.OK, "mcpServers.peers in " + file, null);
                }
            } catch (IOException e) {
                return new Check(
                        "claude code",
                        Verdict.WARN,
                        file + " is not valid JSON",
                        "fix it; Claude Code cannot read it either");
            }
        }
        return new Check("claude code", Verdict.WARN, "no peers MCP server in " + file, "`peers install claude-code`");
    }

    /** The peers hooks and permission rules in Claude Code's settings, and the script their command runs. */
    private static Check claudeHooks(CliContext context) {
        String name = "claude code hooks";
        Path file = ClaudeFiles.settings(context);
        String text = ConfigEdit.read(file);
        String fix = "`peers install claude-code` (`--no-hooks` if you want none)";
        if (text == null) {
            return new Check(name, Verdict.WARN, "no " + file + ": no peers hooks", fix);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            return new Check(
                    name, Verdict.WARN, file + " is not valid JSON", "fix it; Claude Code cannot read it either");
        }
        List<String> missing = new ArrayList<>();
        String command = null;
        for (String event : ClaudeHooks.EVENTS) {
            JsonNode ours = null;
            for (JsonNode group : root.path("hooks").path(event)) {
                if (ClaudeHooks.isPeers(group)) {
                    ours = group;
                }
            }
            if (ours == null) {
                missing.add(event);
            } else {
                command = ours.path("hooks").get(0).path("command").asText();
            }
        }
        if (command == null) {
            return new Check(name, Verdict.WARN, "no peers hooks in " + file, fix);
        }
        if (!missing.isEmpty()) {
            return new Check(
                    name, Verdict.WARN, "no peers hook for " + String.join(", ", missing) + " in " + file, fix);
        }
        Path script = null;
        for (String word : InstallCommands.words(command)) {
            if (word.endsWith(ClaudeHooks.SCRIPT_NAME) || word.endsWith(ClaudeHooks.OLD_SCRIPT_NAME)) {
                script = Path.of(word);
            }
        }
        if (script != null && !Files.isRegularFile(script)) {
            return new Check(name, Verdict.WARN, "the hooks run " + script + ", which is missing", fix);
        }
        boolean allowed = false;
        for (JsonNode rule : root.path("permissions").path("allow")) {
            allowed |= rule.asText("").equals("mcp__peers") || rule.asText("").equals("mcp__peers__check_messages");
        }
        return new Check(
                name,
                allowed ? Verdict.OK : Verdict.WARN,
                "prompt, stop, session-start and edit hooks in " + file
                        + (allowed ? "" : "; the peers tools are not in permissions.allow (each call asks)"),
                allowed ? null : fix);
    }

    private static Check codexConfig(CliContext context) {
        String codexHome = context.env().get("CODEX_HOME");
        Path dir = codexHome == null || codexHome.isBlank() ? context.userHome().resolve(".codex") : Path.of(codexHome);
        Path file = dir.resolve("config.toml");
        String text = ConfigEdit.read(file);
        if (text != null
                && CodexConfig.plan(text, "[mcp_servers.peers]\n", false).outcome() != CodexConfig.Outcome.ADDED) {
            return new Check("codex", Verdict.OK, "[mcp_servers.peers] in " + file, null);
        }
        return new Check("codex", Verdict.WARN, "no peers MCP server in " + file, "`peers install codex`");
    }
}
