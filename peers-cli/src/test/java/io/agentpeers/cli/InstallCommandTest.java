package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peers install}, in this JVM, against temporary home folders: idempotent, backed up, byte for byte around the entry. */
class InstallCommandTest {
    private static final String CODEX = """
            # my Codex settings
            model = "o3"   # the default model

            [mcp_servers.other]
            command = "other-server"   # keep this comment
            args = ["--flag"]
            """;
    private static final String CLAUDE = """
            {
              "numStartups": 12,
              "theme": "dark",
              "mcpServers": {
                "other": {"type": "stdio", "command": "other", "args": []}
              },
              "projects": {"/src/app": {"allowedTools": []}}
            }
            """;

    @TempDir
    Path home;

    private InProcessCli cli() {
        return new InProcessCli(home, home.resolve("p")).env("PEERS_LAUNCHER", "/opt/peers/peers");
    }

    @Test
    void codexIntoAFileWithCommentsAndOtherServers() throws Exception {
        Path config = Files.createDirectories(home.resolve(".codex")).resolve("config.toml");
        Files.writeString(config, CODEX);

        InProcessCli.Result dry = cli().run("install", "codex", "--dry-run");
        assertEquals(0, dry.exit(), dry::toString);
        assertTrue(dry.out().contains("+ [mcp_servers.peers]"), dry::toString);
        assertEquals(CODEX, Files.readString(config), "--dry-run changes nothing");
        assertEquals(List.of(), backups(config));

        InProcessCli.Result done = cli().run("install", "codex");
        assertEquals(0, done.exit(), done::toString);
        String after = Files.readString(config);
        assertTrue(after.startsWith(CODEX), "everything before stays byte for byte:\n" + after);
        assertTrue(
                after.contains(
                        "[mcp_servers.peers]\ncommand = \"/opt/peers/peers\"\nargs = [\"mcp\", \"--client-type\", \"codex\"]"),
                after);
        assertTrue(after.contains("tools.kill_peer.approval_mode = \"prompt\""), after);
        assertTrue(done.out().contains("send_message, broadcast"), "says what runs without a prompt: " + done);
        assertTrue(done.out().contains("kill_peer always asks"), done::toString);
        List<Path> backups = backups(config);
        assertEquals(1, backups.size());
        assertEquals(CODEX, Files.readString(backups.get(0)), "the backup holds the old file");

        InProcessCli.Result again = cli().run("install", "codex", "--json");
        assertEquals(0, again.exit(), again::toString);
        assertEquals("unchanged", again.json().path("outcome").asText());
        assertEquals(after, Files.readString(config), "idempotent");
        assertEquals(1, backups(config).size(), "no backup when nothing changes");
    }

    @Test
    void codexWithoutAFileCreatesOneAndRefusesToClobberADifferentEntry() throws Exception {
        Path config = home.resolve(".codex/config.toml");
        InProcessCli.Result created = cli().run("install", "codex");
        assertEquals(0, created.exit(), created::toString);
        assertTrue(Files.readString(config).startsWith("[mcp_servers.peers]\n"));

        String custom = "[mcp_servers.peers]\ncommand = \"my-own-peers\" # mine\n\n[mcp_servers.z]\ncommand = \"z\"\n";
        Files.writeString(config, custom);
        InProcessCli.Result conflict = cli().run("install", "codex");
        assertEquals(1, conflict.exit(), conflict::toString);
        assertTrue(conflict.err().contains("--force"), conflict::toString);
        assertEquals(custom, Files.readString(config));

        InProcessCli.Result forced = cli().run("install", "codex", "--force");
        assertEquals(0, forced.exit(), forced::toString);
        String after = Files.readString(config);
        assertFalse(after.contains("my-own-peers"), after);
        assertTrue(after.endsWith("\n\n[mcp_servers.z]\ncommand = \"z\"\n"), "what follows stays: " + after);
        assertEquals(custom, Files.readString(backups(config).get(0)));
    }

    @Test
    void claudeCodeWithoutTheClaudeCommandEditsTheJsonAsText() throws Exception {
        Path config = home.resolve(".claude.json");
        Files.writeString(config, CLAUDE);
        InProcessCli.Result done = cli().run("install", "claude-code");
        assertEquals(0, done.exit(), done::toString);
        assertTrue(done.out().contains(InstallCommands.CHANNEL_HINT), "says how to start with the channel flag");
        String after = Files.readString(config);
        assertOnlyInserted(CLAUDE, after);
        JsonNode root = InProcessCli.JSON.readTree(after);
        assertEquals(
                "/opt/peers/peers",
                root.path("mcpServers").path("peers").path("command").asText());
        assertEquals(
                "claude-code",
                root.path("mcpServers").path("peers").path("args").get(2).asText());
        assertEquals(
                "other", root.path("mcpServers").path("other").path("command").asText());
        assertEquals(CLAUDE, Files.readString(backups(config).get(0)));

        assertEquals(0, cli().run("install", "claude-code").exit());
        assertEquals(after, Files.readString(config), "idempotent");
        assertEquals(1, backups(config).size());

        Path fresh = Files.createDirectories(home.resolve("fresh"));
        InProcessCli.Result created =
                new InProcessCli(fresh, home.resolve("p")).run("install", "claude-code", "--dry-run");
        assertEquals(0, created.exit(), created::toString);
        assertFalse(Files.exists(fresh.resolve(".claude.json")), "--dry-run writes nothing");
    }

    @Test
    void claudeCodeRefusesAFileWithTwoMcpServersAndChangesNothing() throws Exception {
        Path config = home.resolve(".claude.json");
        String twice = "{\n  \"mcpServers\": {\"a\": {}},\n  \"mcpServers\": {\"b\": {}}\n}\n";
        Files.writeString(config, twice);
        InProcessCli.Result refused = cli().run("install", "claude-code");
        assertEquals(1, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("mcpServers 2 times in one object (lines 2, 3)"), refused::toString);
        assertEquals(twice, Files.readString(config));
        assertEquals(List.of(), backups(config));
    }

    @Test
    void aSymlinkedClaudeJsonOrCodexConfigStaysALinkAndItsTargetIsEdited() throws Exception {
        Path dotfiles = Files.createDirectories(home.resolve("dotfiles"));
        Path claudeTarget = Files.writeString(dotfiles.resolve("claude.json"), CLAUDE);
        Path claudeLink = Files.createSymbolicLink(home.resolve(".claude.json"), Path.of("dotfiles/claude.json"));
        Path codexTarget = Files.writeString(dotfiles.resolve("config.toml"), CODEX);
        Path codexLink = Files.createSymbolicLink(
                Files.createDirectories(home.resolve(".codex")).resolve("config.toml"), codexTarget);

        assertEquals(0, cli().run("install", "claude-code").exit());
        assertEquals(0, cli().run("install", "codex").exit());

        for (Path[] pair : new Path[][] {{claudeLink, claudeTarget}, {codexLink, codexTarget}}) {
            assertTrue(Files.isSymbolicLink(pair[0]), "still a link: " + pair[0]);
            assertTrue(Files.readString(pair[1]).contains("peers"), "the target has the entry: " + pair[1]);
            List<Path> backups = backups(pair[0]);
            assertEquals(1, backups.size(), "one backup beside the link");
            assertFalse(Files.isSymbolicLink(backups.get(0)), "the backup is a copy, not a second link");
            try (Stream<Path> files = Files.list(dotfiles)) {
                assertEquals(
                        List.of(),
                        files.filter(p -> p.getFileName().toString().startsWith("."))
                                .toList(),
                        "no temporary file left beside the target");
            }
        }
        assertEquals(CLAUDE, Files.readString(backups(claudeLink).get(0)));
        assertEquals(CODEX, Files.readString(backups(codexLink).get(0)));
        String after = Files.readString(claudeTarget);
        assertEquals(0, cli().run("install", "claude-code").exit());
        assertEquals(after, Files.readString(claudeTarget), "idempotent through the link");
    }

    @Test
    void aDanglingSymlinkGetsItsTargetCreated() throws Exception {
        Path target = home.resolve("dotfiles/claude.json");
        Files.createDirectories(target.getParent());
        Path link = Files.createSymbolicLink(home.resolve(".claude.json"), target);
        assertEquals(0, cli().run("install", "claude-code").exit());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.readString(target).contains("\"peers\""));
    }

    @Test
    void claudeCodeUsesTheClaudeCommandWhenThereIsOne() throws Exception {
        Path log = home.resolve("claude.log");
        InProcessCli.fakeTool(home, "claude", "echo \"$@\" >> " + log + "\n[ \"$2\" = get ] && exit 1\nexit 0");
        InProcessCli.Result dry = cli().run("install", "claude-code", "--dry-run");
        assertEquals(0, dry.exit(), dry::toString);
        assertEquals(List.of("mcp get peers"), Files.readAllLines(log), "a dry run only asks");

        InProcessCli.Result done = cli().run("install", "claude-code");
        assertEquals(0, done.exit(), done::toString);
        List<String> calls = Files.readAllLines(log);
        assertTrue(
                calls.contains("mcp add --scope user peers -e PEERS_HOME=" + home.resolve("p")
                        + " -- /opt/peers/peers mcp --client-type claude-code"),
                calls::toString);
        assertFalse(Files.exists(home.resolve(".claude.json")), "the claude command owns its file");
    }

    private static final String SETTINGS = """
            {
              "model": "opus",
              "hooks": {
                "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]
              }
            }
            """;

    @Test
    void claudeCodeReplacesTheOldEsModuleHookAndRemovesItsScript() throws Exception {
        Path node = InProcessCli.fakeTool(home, "node", "exit 0");
        Path settings = Files.createDirectories(home.resolve(".claude")).resolve("settings.json");
        Path old = Files.createDirectories(home.resolve("p/hooks")).resolve("peers-hook.mjs");
        Files.writeString(old, "// the old script\n");
        Files.writeString(
                settings,
                ClaudeHooks.plan(SETTINGS, ClaudeHooks.command(node, old, home.resolve("p/peers.sock")))
                        .text());

        InProcessCli.Result done = cli().run("install", "claude-code");
        assertEquals(0, done.exit(), done::toString);
        assertTrue(done.out().contains("hooks: removed the old " + old), done::toString);
        assertFalse(Files.exists(old));
        assertTrue(Files.isRegularFile(home.resolve("p/hooks/peers-hook.cjs")));
        String after = Files.readString(settings);
        assertFalse(after.contains("peers-hook.mjs"), after);
        assertEquals(
                2, InProcessCli.JSON.readTree(after).path("hooks").path("Stop").size(), after);
    }

    @Test
    void claudeCodeAddsTheHooksToSettingsJsonOnceAndWritesTheScript() throws Exception {
        Path node = InProcessCli.fakeTool(home, "node", "exit 0");
        Path settings = Files.createDirectories(home.resolve(".claude")).resolve("settings.json");
        Files.writeString(settings, SETTINGS);
        Path script = home.resolve("p/hooks/peers-hook.cjs");

        InProcessCli.Result done = cli().run("install", "claude-code");
        assertEquals(0, done.exit(), done::toString);
        assertTrue(done.out().contains("hooks: wrote " + script), done::toString);
        assertTrue(
                done.out()
                        .contains("hooks: " + settings
                                + ": added the peers hooks UserPromptSubmit, Stop, SessionStart, PreToolUse"),
                done::toString);
        assertEquals(ClaudeHooks.script(), Files.readString(script));
        String after = Files.readString(settings);
        ClaudeHooksTest.assertOnlyInserted(SETTINGS, after);
        String command = node + " " + script + " " + home.resolve("p/peers.sock");
        JsonNode hooks = InProcessCli.JSON.readTree(after).path("hooks");
        assertEquals(
                command,
                hooks.path("Stop").get(1).path("hooks").get(0).path("command").asText());
        assertEquals(
                command,
                hooks.path("UserPromptSubmit")
                        .get(0)
                        .path("hooks")
                        .get(0)
                        .path("command")
                        .asText());
        assertEquals(SETTINGS, Files.readString(backups(settings).get(0)));

        InProcessCli.Result again = cli().run("install", "claude-code", "--json");
        assertEquals(0, again.exit(), again::toString);
        assertEquals("unchanged", again.json().path("hooks").path("outcome").asText(), again::toString);
        assertEquals(after, Files.readString(settings), "idempotent");
        assertEquals(1, backups(settings).size(), "no backup when nothing changes");

        assertEquals(
                "ok", doctorVerdict(cli(), "claude code hooks"), "doctor sees the hooks, the script and the rules");
        Files.delete(script);
        assertEquals("warn", doctorVerdict(cli(), "claude code hooks"), "a hook whose script is gone");
    }

    private static String doctorVerdict(InProcessCli cli, String check) throws Exception {
        InProcessCli.Result doctor = cli.run("doctor", "--json");
        for (JsonNode node : doctor.json().path("checks")) {
            if (check.equals(node.path("name").asText())) {
                return node.path("verdict").asText();
            }
        }
        throw new AssertionError("no check " + check + ": " + doctor);
    }

    @Test
    void doctorFindsTheHookScriptInAHomeWithASpaceAndSaysWhenItIsMissing() throws Exception {
        InProcessCli.fakeTool(home, "node", "exit 0");
        Path spaced = home.resolve("my peers");
        InProcessCli cli = new InProcessCli(home, spaced).env("PEERS_LAUNCHER", "/opt/peers/peers");
        assertEquals(0, cli.run("install", "claude-code").exit());
        assertEquals("ok", doctorVerdict(cli, "claude code hooks"));

        Files.delete(spaced.resolve("hooks").resolve(ClaudeHooks.SCRIPT_NAME));
        assertEquals("warn", doctorVerdict(cli, "claude code hooks"), "the script the hooks run is gone");
    }

    @Test
    void shellWordsReadBackWhatTheInstallerQuoted() {
        List<String> words = List.of("/usr/bin/node", "/home/a b/it's here/peers-hook.mjs", "", "x\\y");
        assertEquals(words, InstallCommands.words(InstallCommands.shell(words)));
        assertEquals(List.of("a", "b c", "d"), InstallCommands.words("a  'b c'\td"));
        assertEquals(List.of("it's"), InstallCommands.words("it\\'s"));
    }

    @Test
    void claudeCodeHooksFollowClaudeConfigDirAndDryRunWritesNothing() throws Exception {
        InProcessCli.fakeTool(home, "node", "exit 0");
        Path dir = home.resolve("cc");
        InProcessCli cli = cli().env("CLAUDE_CONFIG_DIR", dir.toString());

        InProcessCli.Result dry = cli.run("install", "claude-code", "--dry-run");
        assertEquals(0, dry.exit(), dry::toString);
        assertTrue(dry.out().contains("hooks: would write " + home.resolve("p/hooks/peers-hook.cjs")), dry::toString);
        assertTrue(dry.out().contains("new file " + dir.resolve("settings.json")), dry::toString);
        assertTrue(dry.out().contains("+     \"UserPromptSubmit\": ["), dry::toString);
        assertFalse(Files.exists(dir), "--dry-run writes nothing");
        assertFalse(Files.exists(home.resolve("p/hooks")));

        assertEquals(0, cli.run("install", "claude-code").exit());
        assertTrue(Files.exists(dir.resolve("settings.json")));
        assertFalse(Files.exists(home.resolve(".claude/settings.json")), "CLAUDE_CONFIG_DIR, not ~/.claude");
        assertEquals("ok", doctorVerdict(cli, "claude code hooks"), "doctor looks in CLAUDE_CONFIG_DIR too");
    }

    @Test
    void claudeCodeWithoutNodeGetsThePermissionRulesAloneAndWithNoHooksNothing() throws Exception {
        Path settings = home.resolve(".claude/settings.json");
        InProcessCli.Result noNode = cli().run("install", "claude-code");
        assertEquals(0, noNode.exit(), noNode::toString);
        assertTrue(noNode.out().contains("hooks: none installed: no node on PATH"), noNode::toString);
        assertTrue(noNode.out().contains("permissions: " + settings), noNode::toString);
        String rules = Files.readString(settings);
        assertTrue(rules.contains("\"mcp__peers__check_messages\"") && !rules.contains("kill_peer"), rules);
        assertFalse(rules.contains("hooks"), "no hooks without node: " + rules);
        Files.delete(settings);

        InProcessCli.fakeTool(home, "node", "exit 0");
        InProcessCli.Result skipped = cli().run("install", "claude-code", "--no-hooks");
        assertEquals(0, skipped.exit(), skipped::toString);
        assertTrue(skipped.out().contains("hooks: none installed (--no-hooks)"), skipped::toString);
        assertFalse(Files.exists(settings));
        assertFalse(Files.exists(home.resolve("p/hooks")));
    }

    @Test
    void serviceWritesASystemdUnitAndEnablesItOrALaunchdAgent() throws Exception {
        Path log = home.resolve("systemctl.log");
        InProcessCli.fakeTool(home, "systemctl", "echo \"$@\" >> " + log);
        InProcessCli.Result dry = cli().run("install", "service", "--platform", "linux", "--dry-run");
        assertEquals(0, dry.exit(), dry::toString);
        Path unit = home.resolve(".config/systemd/user/peers-broker.service");
        assertFalse(Files.exists(unit));
        assertFalse(Files.exists(log));

        InProcessCli.Result done = cli().run("install", "service", "--platform", "linux");
        assertEquals(0, done.exit(), done::toString);
        String text = Files.readString(unit);
        assertTrue(text.contains("ExecStart=/opt/peers/peers broker run\n"), text);
        assertTrue(text.contains("Environment=PEERS_HOME=" + home.resolve("p")), text);
        assertTrue(
                text.contains("Environment=JAVA_HOME=" + System.getProperty("java.home") + "\n"),
                "a user unit has no SDKMAN or asdf PATH: the launcher gets this JVM's home: " + text);
        assertEquals(
                List.of("--user daemon-reload", "--user enable --now peers-broker.service"), Files.readAllLines(log));

        InProcessCli.Result mac = cli().run("install", "service", "--platform", "macos", "--no-enable");
        assertEquals(0, mac.exit(), mac::toString);
        String plist = Files.readString(home.resolve("Library/LaunchAgents/io.agentpeers.broker.plist"));
        assertTrue(
                plist.contains("<string>/opt/peers/peers</string>") && plist.contains("<key>KeepAlive</key>"), plist);
        assertTrue(
                plist.contains("<key>JAVA_HOME</key>\n    <string>" + System.getProperty("java.home") + "</string>"),
                plist);
    }

    @Test
    void theServiceRunsTheJavaOfJavaHomeWhenItHoldsOne() throws Exception {
        Path jdk = home.resolve("sdkman/candidates/java/current");
        InProcessCli.fakeTool(jdk, "java", "exit 0");
        InProcessCli.Result done =
                cli().env("JAVA_HOME", jdk.toString()).run("install", "service", "--platform", "linux", "--no-enable");
        assertEquals(0, done.exit(), done::toString);
        String text = Files.readString(home.resolve(".config/systemd/user/peers-broker.service"));
        assertTrue(text.contains("Environment=JAVA_HOME=" + jdk + "\n"), text);

        InProcessCli.Result empty = cli().env(
                        "JAVA_HOME", home.resolve("no-jdk").toString())
                .run("install", "service", "--platform", "linux", "--no-enable", "--force");
        assertEquals(0, empty.exit(), empty::toString);
        assertTrue(
                Files.readString(home.resolve(".config/systemd/user/peers-broker.service"))
                        .contains("Environment=JAVA_HOME=" + System.getProperty("java.home") + "\n"),
                "a JAVA_HOME without a java is passed over");
    }

    @Test
    void codexHomeAndPeersEnvironmentGoIntoTheEntry() throws Exception {
        Path codexHome = home.resolve("codex-home");
        InProcessCli.Result done = cli().env("CODEX_HOME", codexHome.toString())
                .env("PEERS_SOCKET", "/tmp/x.sock")
                .run("install", "codex", "--json");
        assertEquals(0, done.exit(), done::toString);
        assertEquals("added", done.json().path("outcome").asText(), done::toString);
        assertEquals(
                codexHome.resolve("config.toml").toString(),
                done.json().path("file").asText());
        String text = Files.readString(codexHome.resolve("config.toml"));
        assertTrue(
                text.contains("env = { PEERS_HOME = \"" + home.resolve("p") + "\", PEERS_SOCKET = \"/tmp/x.sock\" }"),
                text);
        assertFalse(Files.exists(home.resolve(".codex")), "CODEX_HOME replaces ~/.codex");
    }

    @Test
    void withoutALauncherTheEntryRunsThisJavaAndTheMainClass() throws Exception {
        InProcessCli.Result done = new InProcessCli(home, home.resolve("p")).run("install", "codex");
        assertEquals(0, done.exit(), done::toString);
        String text = Files.readString(home.resolve(".codex/config.toml"));
        assertTrue(
                text.contains("\"-cp\", ")
                        && text.contains("\"" + InProcessCli.MAIN_CLASS + "\", \"mcp\", \"--client-type\", \"codex\"]"),
                text);
    }

    @Test
    void serviceFailuresSayWhatToDo() throws Exception {
        InProcessCli.Result noSystemctl = cli().run("install", "service", "--platform", "linux");
        assertEquals(1, noSystemctl.exit(), noSystemctl::toString);
        assertTrue(noSystemctl.err().contains("no systemctl on PATH"), noSystemctl::toString);
        assertTrue(
                Files.exists(home.resolve(".config/systemd/user/peers-broker.service")), "the file is written first");

        InProcessCli.fakeTool(home, "systemctl", "echo 'Failed to connect to bus' >&2\nexit 1");
        InProcessCli.Result failing = cli().run("install", "service", "--platform", "linux");
        assertEquals(1, failing.exit(), failing::toString);
        assertTrue(failing.err().contains("Failed to connect to bus"), failing::toString);

        InProcessCli.Result unknown = cli().run("install", "service", "--platform", "windows");
        assertEquals(2, unknown.exit(), "a usage mistake: " + unknown);
        assertTrue(unknown.err().contains("use linux or macos"), unknown::toString);
    }

    /** Asserts that {@code after} is {@code before} with one contiguous insertion: every old byte stays. */
    private static void assertOnlyInserted(String before, String after) {
        int prefix = 0;
        while (prefix < before.length() && before.charAt(prefix) == after.charAt(prefix)) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < before.length() - prefix
                && before.charAt(before.length() - 1 - suffix) == after.charAt(after.length() - 1 - suffix)) {
            suffix++;
        }
        assertEquals(before.length(), prefix + suffix, "more than an insertion changed:\n" + after);
    }

    private static List<Path> backups(Path config) throws IOException {
        try (Stream<Path> files = Files.list(config.getParent())) {
            return files.filter(p -> p.getFileName().toString().startsWith(config.getFileName() + ".peers-backup-"))
                    .sorted()
                    .toList();
        }
    }
}
