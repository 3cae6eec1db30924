package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peers tools in Claude Code's permissions.allow: every tool but kill_peer, inserted as text, never twice. */
class ClaudePermissionsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void everyToolButKillPeerIsAllowed() {
        assertEquals(8, ClaudePermissions.RULES.size(), ClaudePermissions.RULES::toString);
        assertTrue(ClaudePermissions.RULES.contains("mcp__peers__check_messages"));
        assertTrue(ClaudePermissions.RULES.contains("mcp__peers__list_peers"));
        assertFalse(ClaudePermissions.RULES.stream().anyMatch(rule -> rule.contains("kill_peer")));
    }

    @Test
    void aFreshOrEmptyFileGetsTheRulesAndASecondRunChangesNothing() throws Exception {
        for (String start :
                new String[] {null, "{}", "{}\n", "{\"permissions\": {}}", "{\"permissions\": {\"allow\": []}}"}) {
            CodexConfig.Result result = ClaudePermissions.plan(start);
            assertEquals(CodexConfig.Outcome.ADDED, result.outcome(), start);
            assertEquals(ClaudePermissions.RULES, allow(result.text()), start + " -> " + result.text());
            assertEquals(
                    CodexConfig.Outcome.UNCHANGED,
                    ClaudePermissions.plan(result.text()).outcome(),
                    result.text());
        }
    }

    @Test
    void theUsersRulesStayAndOnlyTheMissingOnesAreAdded() throws Exception {
        String settings = """
                {
                  "model": "opus",
                  "permissions": {
                    "allow": ["Bash(ls:*)", "mcp__peers__whoami"],
                    "deny": ["mcp__peers__broadcast"]
                  }
                }
                """;
        CodexConfig.Result result = ClaudePermissions.plan(settings);
        assertEquals(CodexConfig.Outcome.ADDED, result.outcome(), result.detail());
        ClaudeHooksTest.assertOnlyInserted(settings, result.text());
        List<String> allow = allow(result.text());
        assertEquals("Bash(ls:*)", allow.get(0));
        assertEquals(ClaudePermissions.RULES.size() + 1, allow.size(), allow::toString);
        assertEquals(
                MAPPER.readTree(settings).path("permissions").path("deny"),
                MAPPER.readTree(result.text()).path("permissions").path("deny"),
                "a deny rule is the user's: it stays, and wins in Claude Code");
        assertFalse(result.detail().contains("mcp__peers__whoami"), "only what was missing: " + result.detail());
    }

    @Test
    void aServerWideRuleIsEnoughAndABadShapeIsNotTouched() {
        String wide = "{\"permissions\": {\"allow\": [\"mcp__peers\"]}}";
        assertEquals(CodexConfig.Outcome.UNCHANGED, ClaudePermissions.plan(wide).outcome());
        for (String bad :
                new String[] {"[1]", "{\"permissions\": []}", "{\"permissions\": {\"allow\": \"all\"}}", "{"}) {
            CodexConfig.Result result = ClaudePermissions.plan(bad);
            assertEquals(CodexConfig.Outcome.CONFLICT, result.outcome(), bad);
            assertEquals(bad, result.text());
        }
    }

    @Test
    void withTheHooksItIsOneEditOfTheFile() throws Exception {
        String command = ClaudeHooks.command(
                Path.of("/usr/bin/node"), Path.of("/h/.peers/hooks/peers-hook.cjs"), Path.of("/h/.peers/peers.sock"));
        String settings = "{\n  \"model\": \"opus\"\n}\n";
        CodexConfig.Result both = ClaudePermissions.after(ClaudeHooks.plan(settings, command));
        assertEquals(CodexConfig.Outcome.ADDED, both.outcome(), both.detail());
        ClaudeHooksTest.assertOnlyInserted(settings, both.text());
        JsonNode root = MAPPER.readTree(both.text());
        assertEquals(ClaudeHooks.EVENTS.size(), root.path("hooks").size(), both.text());
        assertEquals(ClaudePermissions.RULES, allow(both.text()));
        assertTrue(both.detail().contains("hooks") && both.detail().contains("permissions.allow"), both.detail());

        CodexConfig.Result again = ClaudePermissions.after(ClaudeHooks.plan(both.text(), command));
        assertEquals(CodexConfig.Outcome.UNCHANGED, again.outcome(), again.detail());
        assertEquals(both.text(), again.text());
    }

    private static List<String> allow(String text) throws Exception {
        List<String> out = new ArrayList<>();
        MAPPER.readTree(text).path("permissions").path("allow").forEach(rule -> out.add(rule.asText()));
        return out;
    }
}
