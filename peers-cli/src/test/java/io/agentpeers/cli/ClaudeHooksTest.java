package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The peers hooks in Claude Code's settings.json: inserted as text, every other byte kept, never twice. */
class ClaudeHooksTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String COMMAND = ClaudeHooks.command(
            Path.of("/usr/bin/node"), Path.of("/h/.peers/hooks/peers-hook.cjs"), Path.of("/h/.peers/peers.sock"));
    private static final String SETTINGS = """
            {
              "model": "opus",
              "permissions": {"allow": ["Bash(ls:*)"]},
              "hooks": {
                "Stop": [
                  {"hooks": [{"type": "command", "command": "say done"}]}
                ],
                "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit"}]}],
                "SessionStart": []
              },
              "env": {"A": "b"}
            }
            """;

    @Test
    void aFreshFileGetsAGroupPerEvent() throws Exception {
        CodexConfig.Result result = ClaudeHooks.plan(null, COMMAND);
        assertEquals(CodexConfig.Outcome.ADDED, result.outcome());
        JsonNode hooks = MAPPER.readTree(result.text()).path("hooks");
        for (String event : ClaudeHooks.EVENTS) {
            assertEquals(ClaudeHooks.group(COMMAND, event), hooks.path(event).get(0), event);
        }
        assertEquals(
                CodexConfig.Outcome.UNCHANGED,
                ClaudeHooks.plan(result.text(), COMMAND).outcome());
        assertEquals(CodexConfig.Outcome.ADDED, ClaudeHooks.plan("{}", COMMAND).outcome());
        assertEquals(
                hooks, MAPPER.readTree(ClaudeHooks.plan("{}\n", COMMAND).text()).path("hooks"));
    }

    @Test
    void anExistingFileKeepsEveryOtherByteAndOtherHooks() throws Exception {
        CodexConfig.Result result = ClaudeHooks.plan(SETTINGS, COMMAND);
        assertEquals(CodexConfig.Outcome.ADDED, result.outcome(), result.detail());
        String after = result.text();
        assertOnlyInserted(SETTINGS, after);
        JsonNode root = MAPPER.readTree(after);
        JsonNode old = MAPPER.readTree(SETTINGS);
        assertEquals(old.path("model"), root.path("model"));
        assertEquals(old.path("permissions"), root.path("permissions"));
        assertEquals(old.path("env"), root.path("env"));
        JsonNode preToolUse = root.path("hooks").path("PreToolUse");
        assertEquals(2, preToolUse.size(), "the user's PreToolUse hook stays, ours comes after it: " + after);
        assertEquals(old.path("hooks").path("PreToolUse").get(0), preToolUse.get(0));
        assertEquals(ClaudeHooks.group(COMMAND, "PreToolUse"), preToolUse.get(1));
        assertEquals(ClaudeHooks.EDIT_MATCHER, preToolUse.get(1).path("matcher").asText());
        JsonNode stop = root.path("hooks").path("Stop");
        assertEquals(2, stop.size(), "the user's Stop hook stays, ours comes after it: " + after);
        assertEquals(old.path("hooks").path("Stop").get(0), stop.get(0));
        assertEquals(ClaudeHooks.group(COMMAND, "Stop"), stop.get(1));
        assertEquals(
                ClaudeHooks.group(COMMAND, "SessionStart"),
                root.path("hooks").path("SessionStart").get(0));
        assertEquals(
                ClaudeHooks.group(COMMAND, "UserPromptSubmit"),
                root.path("hooks").path("UserPromptSubmit").get(0));

        CodexConfig.Result again = ClaudeHooks.plan(after, COMMAND);
        assertEquals(CodexConfig.Outcome.UNCHANGED, again.outcome(), "idempotent");
        assertEquals(after, again.text());
    }

    @Test
    void aChangedCommandReplacesOnlyThePeersGroup() throws Exception {
        String installed = ClaudeHooks.plan(SETTINGS, COMMAND).text();
        String moved = ClaudeHooks.command(
                Path.of("/opt/node/bin/node"), Path.of("/x/hooks/peers-hook.cjs"), Path.of("/x/peers.sock"));
        CodexConfig.Result result = ClaudeHooks.plan(installed, moved);
        assertEquals(CodexConfig.Outcome.REPLACED, result.outcome(), result.detail());
        JsonNode root = MAPPER.readTree(result.text());
        assertEquals(2, root.path("hooks").path("Stop").size(), "replaced, not added twice");
        assertEquals(
                ClaudeHooks.group(moved, "Stop"),
                root.path("hooks").path("Stop").get(1));
        assertEquals(
                "say done",
                root.path("hooks")
                        .path("Stop")
                        .get(0)
                        .path("hooks")
                        .get(0)
                        .path("command")
                        .asText());
        assertEquals(
                CodexConfig.Outcome.UNCHANGED,
                ClaudeHooks.plan(result.text(), moved).outcome());
    }

    @Test
    void hooksOfTheOldEsModuleScriptAreReplacedByTheCommonJsOne() throws Exception {
        String old = ClaudeHooks.command(
                Path.of("/usr/bin/node"), Path.of("/h/.peers/hooks/peers-hook.mjs"), Path.of("/h/.peers/peers.sock"));
        CodexConfig.Result result =
                ClaudeHooks.plan(ClaudeHooks.plan(SETTINGS, old).text(), COMMAND);
        assertEquals(CodexConfig.Outcome.REPLACED, result.outcome(), result.detail());
        JsonNode stop = MAPPER.readTree(result.text()).path("hooks").path("Stop");
        assertEquals(2, stop.size(), "replaced, not added beside the old one: " + stop);
        assertEquals(COMMAND, stop.get(1).path("hooks").get(0).path("command").asText());
        assertFalse(result.text().contains("peers-hook.mjs"), result.text());
    }

    @Test
    void blockingClaimedEditsIsAFlagOfTheCommandAndReplacesTheInstalledGroups() throws Exception {
        String blocking = ClaudeHooks.command(
                Path.of("/usr/bin/node"),
                Path.of("/h/.peers/hooks/peers-hook.cjs"),
                Path.of("/h/.peers/peers.sock"),
                true);
        assertTrue(blocking.endsWith(" " + ClaudeHooks.BLOCK_FLAG), blocking);
        CodexConfig.Result result =
                ClaudeHooks.plan(ClaudeHooks.plan(null, COMMAND).text(), blocking);
        assertEquals(CodexConfig.Outcome.REPLACED, result.outcome(), result.detail());
        JsonNode edit = MAPPER.readTree(result.text()).path("hooks").path("PreToolUse");
        assertEquals(1, edit.size());
        assertEquals(blocking, edit.get(0).path("hooks").get(0).path("command").asText());
    }

    @Test
    void whatItCannotEditSafelyIsLeftAlone() {
        for (String bad : new String[] {
            "{not json",
            "[]",
            "{\"hooks\": []}",
            "{\"hooks\": {\"Stop\": {}}}",
            "{\"hooks\": {\"Stop\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"mine\"},"
                    + " {\"type\": \"command\", \"command\": \"node peers-hook.mjs s\"}]}]}}"
        }) {
            CodexConfig.Result result = ClaudeHooks.plan(bad, COMMAND);
            assertEquals(CodexConfig.Outcome.CONFLICT, result.outcome(), bad);
            assertEquals(bad, result.text());
        }
    }

    @Test
    void theScriptShipsInTheJar() {
        String script = ClaudeHooks.script();
        assertTrue(script.contains("agent_unread") && script.contains("HARD_LIMIT_MS"), "the Node hook");
    }

    /** {@code before} is a subsequence of {@code after}: only insertions, every old byte in place and order. */
    static void assertOnlyInserted(String before, String after) {
        int i = 0;
        for (int j = 0; j < after.length() && i < before.length(); j++) {
            if (after.charAt(j) == before.charAt(i)) {
                i++;
            }
        }
        assertEquals(before.length(), i, "more than insertions changed:\n" + after);
    }
}
