package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CodexConfig}: the [mcp_servers.peers] table planned into config.toml as text. */
class CodexConfigTest {
    private static final String SECTION =
            CodexConfig.section(List.of("/opt/peers/peers", "mcp", "--client-type", "codex"), Map.of());

    @Test
    void theSectionQuotesEveryStringAsTomlAndListsTheEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PEERS_HOME", "/home/a b/.peers");
        env.put("PEERS_SOCKET", "/tmp/\"odd\"\\path");
        String section = CodexConfig.section(List.of("/opt/pe\u0001ers", "mcp"), env);
        assertEquals("""
                [mcp_servers.peers]
                command = "/opt/pe\\u0001ers"
                args = ["mcp"]
                env = { PEERS_HOME = "/home/a b/.peers", PEERS_SOCKET = "/tmp/\\"odd\\"\\\\path" }
                startup_timeout_sec = 30
                """, section);
        assertEquals("\"tab\\there\\nnewline\"", CodexConfig.quote("tab\there\nnewline"));
    }

    @Test
    void noFileOrAnEmptyOneGetsJustTheTable() {
        for (String existing : new String[] {null, ""}) {
            CodexConfig.Result result = CodexConfig.plan(existing, SECTION, false);
            assertEquals(CodexConfig.Outcome.ADDED, result.outcome());
            assertEquals(SECTION, result.text());
        }
    }

    @Test
    void theTableIsAppendedAfterEveryByteOfTheFile() {
        String existing = "model = \"o3\" # mine\n[mcp_servers.other]\ncommand = \"x\"";
        CodexConfig.Result result = CodexConfig.plan(existing, SECTION, false);
        assertEquals(CodexConfig.Outcome.ADDED, result.outcome());
        assertEquals(existing + "\n\n" + SECTION, result.text(), "a missing final newline is added, nothing else");

        CodexConfig.Result withNewline = CodexConfig.plan(existing + "\n", SECTION, false);
        assertEquals(existing + "\n\n" + SECTION, withNewline.text());
    }

    @Test
    void theSameTableIsUnchangedWhateverItsCommentsAndSpacing() {
        String existing = "a = 1\n\n[ mcp_servers . \"peers\" ]  # ours\n  command = \"/opt/peers/peers\"\n"
                + "# a comment inside\nargs = [\"mcp\", \"--client-type\", \"codex\"]\n\n startup_timeout_sec = 30\n";
        CodexConfig.Result result = CodexConfig.plan(existing, SECTION, false);
        assertEquals(CodexConfig.Outcome.UNCHANGED, result.outcome(), result.detail());
        assertEquals(existing, result.text());
    }

    @Test
    void aDifferentTableIsAConflictUnlessForcedThenOnlyItIsReplaced() {
        String before = "model = \"o3\"\n\n";
        String theirs = "[mcp_servers.peers]\ncommand = \"my-peers\"\n\n# about z\n";
        String after = "[mcp_servers.z]\ncommand = \"z\"\n";
        String existing = before + theirs + after;

        CodexConfig.Result conflict = CodexConfig.plan(existing, SECTION, false);
        assertEquals(CodexConfig.Outcome.CONFLICT, conflict.outcome());
        assertEquals(existing, conflict.text());
        assertTrue(conflict.detail().contains("--force"), conflict.detail());

        CodexConfig.Result forced = CodexConfig.plan(existing, SECTION, true);
        assertEquals(CodexConfig.Outcome.REPLACED, forced.outcome());
        assertEquals(
                before + SECTION + "\n# about z\n" + after,
                forced.text(),
                "the blank line and comment before the next table stay with it");
    }

    @Test
    void theLastTableInTheFileIsReplacedToTheEnd() {
        CodexConfig.Result ours = CodexConfig.plan("x = 1\n[mcp_servers.'peers']\ncommand = \"old\"\n", SECTION, true);
        assertEquals(CodexConfig.Outcome.REPLACED, ours.outcome());
        assertEquals("x = 1\n" + SECTION, ours.text());
    }

    @Test
    void formsThisInstallerDoesNotEditAreConflictsEvenWithForce() {
        for (String existing : List.of(
                "[mcp_servers]\npeers = { command = \"p\" }\n",
                "mcp_servers.peers.command = \"p\"\n",
                "mcp_servers = { peers = { command = \"p\" } }\n")) {
            CodexConfig.Result result = CodexConfig.plan(existing, SECTION, true);
            assertEquals(CodexConfig.Outcome.CONFLICT, result.outcome(), existing);
            assertEquals(existing, result.text());
            assertTrue(result.detail().contains("line 1") || result.detail().contains("line 2"), result.detail());
        }
    }
}
