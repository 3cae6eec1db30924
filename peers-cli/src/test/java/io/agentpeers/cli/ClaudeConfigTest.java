package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ClaudeConfig}: mcpServers.peers planned into ~/.claude.json as text, every other byte kept. */
class ClaudeConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode ENTRY = ClaudeConfig.entry(
            List.of("/opt/peers/peers", "mcp", "--client-type", "claude-code"), Map.of("PEERS_HOME", "/h/.peers"));

    @Test
    void theEntryIsWhatClaudeMcpAddWouldWrite() throws Exception {
        assertEquals(JSON.readTree("""
                {"type": "stdio", "command": "/opt/peers/peers", "args": ["mcp", "--client-type", "claude-code"],
                 "env": {"PEERS_HOME": "/h/.peers"}}"""), ENTRY);
        ObjectNode bare = ClaudeConfig.entry(List.of("/p"), Map.of());
        assertTrue(bare.get("args").isArray() && bare.get("args").isEmpty(), bare::toString);
        assertTrue(bare.get("env").isObject() && bare.get("env").isEmpty(), bare::toString);
    }

    @Test
    void noFileOrABlankOneIsCreated() throws Exception {
        for (String existing : new String[] {null, "", "  \n"}) {
            CodexConfig.Result result = ClaudeConfig.plan(existing, ENTRY, false);
            assertEquals(CodexConfig.Outcome.ADDED, result.outcome());
            assertEquals(ENTRY, JSON.readTree(result.text()).path("mcpServers").path("peers"));
        }
    }

    @Test
    void theEntryIsInsertedAndNothingElseChanges() throws Exception {
        for (String existing : List.of(
                "{\"numStartups\": 3, \"projects\": {\"/a\": {}}}",
                "{}",
                "\n  {  }\n",
                "{\"mcpServers\": {}, \"x\": 1}",
                "{\"mcpServers\": {\"other\": {\"command\": \"o\"}}}",
                "{\"a\": \"} \\\" {\", \"mcpServers\" : { \"other\" : [1, {\"b\": \"]\"}] } }")) {
            CodexConfig.Result result = ClaudeConfig.plan(existing, ENTRY, false);
            assertEquals(CodexConfig.Outcome.ADDED, result.outcome(), existing);
            JsonNode after = JSON.readTree(result.text());
            assertEquals(ENTRY, after.path("mcpServers").path("peers"), result.text());
            JsonNode before = JSON.readTree(existing);
            ObjectNode withoutOurs = after.deepCopy();
            ((ObjectNode) withoutOurs.path("mcpServers")).remove("peers");
            if (!before.has("mcpServers")) {
                withoutOurs.remove("mcpServers");
            }
            assertEquals(before, withoutOurs, "only our entry is new: " + result.text());
            assertOnlyInserted(existing, result.text());
        }
    }

    @Test
    void theSameEntryIsUnchangedAndADifferentOneIsAConflictUnlessForced() throws Exception {
        String ours = ClaudeConfig.plan("{\"theme\": \"dark\"}", ENTRY, false).text();
        CodexConfig.Result again = ClaudeConfig.plan(ours, ENTRY, false);
        assertEquals(CodexConfig.Outcome.UNCHANGED, again.outcome());
        assertEquals(ours, again.text());

        String theirs = "{\"theme\": \"dark\", \"mcpServers\": {\"pe\\u0065rs\": {\"command\": \"mine\"}, \"z\": {}}}";
        CodexConfig.Result conflict = ClaudeConfig.plan(theirs, ENTRY, false);
        assertEquals(CodexConfig.Outcome.CONFLICT, conflict.outcome());
        assertEquals(theirs, conflict.text());
        assertTrue(conflict.detail().contains("--force"), conflict.detail());

        CodexConfig.Result forced = ClaudeConfig.plan(theirs, ENTRY, true);
        assertEquals(CodexConfig.Outcome.REPLACED, forced.outcome());
        JsonNode after = JSON.readTree(forced.text());
        assertEquals(ENTRY, after.path("mcpServers").path("peers"), "an escaped key is found too: " + forced.text());
        assertEquals(JSON.readTree("{}"), after.path("mcpServers").path("z"));
        assertEquals("dark", after.path("theme").asText());
        assertTrue(forced.text().startsWith("{\"theme\": \"dark\", \"mcpServers\": {\"pe\\u0065rs\": "), forced.text());
        assertTrue(forced.text().endsWith(", \"z\": {}}}"), forced.text());
    }

    @Test
    void filesItCannotEditSafelyAreConflicts() {
        for (String existing : List.of("{\"a\": ", "[1, 2]", "\"text\"", "{\"mcpServers\": [1]}")) {
            CodexConfig.Result result = ClaudeConfig.plan(existing, ENTRY, true);
            assertEquals(CodexConfig.Outcome.CONFLICT, result.outcome(), existing);
            assertEquals(existing, result.text());
        }
    }

    @Test
    void twoMcpServersOrTwoPeersInOneObjectAreRefusedNotEditedTwice() {
        for (String existing : List.of(
                "{\"mcpServers\": {\"a\": {}},\n \"x\": 1,\n \"mcpServers\": {\"b\": {}}}",
                "{\"mcpServers\": {},\n \"mcpServers\": {}}",
                "{\"mcpServers\": {\"peers\": {},\n \"peers\": {\"command\": \"x\"}}}")) {
            for (boolean force : new boolean[] {false, true}) {
                CodexConfig.Result result = ClaudeConfig.plan(existing, ENTRY, force);
                assertEquals(CodexConfig.Outcome.CONFLICT, result.outcome(), existing);
                assertEquals(existing, result.text(), "nothing changes");
                assertTrue(result.detail().contains("times in one object (lines 1, "), result.detail());
                assertTrue(result.detail().endsWith("merge them into one, then run this again"), result.detail());
            }
        }
        CodexConfig.Result nested =
                ClaudeConfig.plan("{\"projects\": {\"/a\": {\"x\": 1, \"x\": 2}}, \"mcpServers\": {}}", ENTRY, false);
        assertEquals(CodexConfig.Outcome.ADDED, nested.outcome(), "a duplicate elsewhere is not ours to judge");
    }

    /** Asserts that {@code after} is {@code before} with one contiguous insertion: every old byte stays. */
    static void assertOnlyInserted(String before, String after) {
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
}
