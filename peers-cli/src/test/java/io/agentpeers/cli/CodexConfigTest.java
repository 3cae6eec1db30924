package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                required = true
                # peers tools that change only peers state run without a prompt; kill_peer always asks
                tools.send_message.approval_mode = "approve"
                tools.broadcast.approval_mode = "approve"
                tools.check_messages.approval_mode = "approve"
                tools.wait_for_messages.approval_mode = "approve"
                tools.set_summary.approval_mode = "approve"
                tools.set_name.approval_mode = "approve"
                tools.kill_peer.approval_mode = "prompt"
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
                + "# a comment inside\nargs = [\"mcp\", \"--client-type\", \"codex\"]\n\n startup_timeout_sec = 30\n"
                + SECTION.substring(SECTION.indexOf("required"));
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
    void theEntryApprovesTheToolsThatChangeOnlyPeersStateAndAlwaysAsksBeforeKillPeer() {
        assertTrue(SECTION.contains("tools.send_message.approval_mode = \"approve\"\n"), SECTION);
        assertTrue(SECTION.contains("tools.kill_peer.approval_mode = \"prompt\"\n"), SECTION);
        assertFalse(SECTION.contains("tools.list_peers"), "read-only tools run by their annotations: " + SECTION);
        assertFalse(SECTION.contains("default_tools_approval_mode"), "a server-wide approval would cover new tools");
    }

    @Test
    void everyQuotingOfTheHeaderIsTheSameTable() {
        String body = SECTION.substring(SECTION.indexOf('\n') + 1);
        for (String header : List.of(
                "['mcp_servers'.'peers']",
                "[\"mcp_servers\".\"peers\"]",
                "[ \"mcp_servers\" . peers ] # mine",
                "[mcp_servers.\"pe\\u0065rs\"]")) {
            String existing = "model = \"o3\"\n" + header + "\n" + body;
            CodexConfig.Result same = CodexConfig.plan(existing, SECTION, false);
            assertEquals(CodexConfig.Outcome.UNCHANGED, same.outcome(), header + ": " + same.detail());

            String theirs = "model = \"o3\"\n" + header + "\ncommand = \"mine\"\n";
            CodexConfig.Result conflict = CodexConfig.plan(theirs, SECTION, false);
            assertEquals(CodexConfig.Outcome.CONFLICT, conflict.outcome(), header + " is not added twice");
            CodexConfig.Result forced = CodexConfig.plan(theirs, SECTION, true);
            assertEquals("model = \"o3\"\n" + SECTION, forced.text(), header);
        }
    }

    @Test
    void theEntryAnOlderPeersWroteGetsTheApprovalsWithoutForce() {
        String older =
                "[mcp_servers.peers]\ncommand = \"/opt/peers/peers\"\nargs = [\"mcp\", \"--client-type\", \"codex\"]\n"
                        + "startup_timeout_sec = 30\n";
        String existing = "model = \"o3\"\n\n" + older + "\n[mcp_servers.z]\ncommand = \"z\"\n";
        CodexConfig.Result result = CodexConfig.plan(existing, SECTION, false);
        assertEquals(CodexConfig.Outcome.REPLACED, result.outcome(), result.detail());
        assertEquals("model = \"o3\"\n\n" + SECTION + "\n[mcp_servers.z]\ncommand = \"z\"\n", result.text());
        assertEquals(
                CodexConfig.Outcome.UNCHANGED,
                CodexConfig.plan(result.text(), SECTION, false).outcome());
    }

    @Test
    void subTablesOfTheEntryArePartOfItWhereverTheyAre() {
        String existing = "[mcp_servers.peers]\ncommand = \"/opt/peers/peers\"\n\n[mcp_servers.z]\ncommand = \"z\"\n\n"
                + "[mcp_servers.peers.tools.kill_peer]\napproval_mode = \"approve\"\n\n[profile]\nx = 1\n";
        CodexConfig.Result conflict = CodexConfig.plan(existing, SECTION, false);
        assertEquals(CodexConfig.Outcome.CONFLICT, conflict.outcome(), conflict.detail());
        CodexConfig.Result forced = CodexConfig.plan(existing, SECTION, true);
        assertEquals(
                SECTION + "\n[mcp_servers.z]\ncommand = \"z\"\n\n\n[profile]\nx = 1\n",
                forced.text(),
                "the table that approved kill_peer is gone");
    }

    @Test
    void aHeaderInsideAMultiLineStringOrArrayIsNoTable() {
        String existing = "notes = \"\"\"\n[mcp_servers.peers]\n\"\"\"\nlist = [\n  \"a\",\n[mcp_servers.peers]\n]\n"
                + "lit = '''\n[mcp_servers.peers]'''\n";
        CodexConfig.Result result = CodexConfig.plan(existing, SECTION, false);
        assertEquals(CodexConfig.Outcome.ADDED, result.outcome(), result.detail());
        assertEquals(existing + "\n" + SECTION, result.text());
    }

    @Test
    void formsThisInstallerDoesNotEditAreConflictsEvenWithForce() {
        for (String existing : List.of(
                "[mcp_servers]\npeers = { command = \"p\" }\n",
                "[\"mcp_servers\"]\n'peers' = { command = \"p\" }\n",
                "[mcp_servers]\npeers.command = \"p\"\n",
                "mcp_servers.peers.command = \"p\"\n",
                "\"mcp_servers\".'peers'.command = \"p\"\n",
                "mcp_servers = { peers = { command = \"p\" } }\n",
                "[[mcp_servers]]\nname = \"p\"\n")) {
            CodexConfig.Result result = CodexConfig.plan(existing, SECTION, true);
            assertEquals(CodexConfig.Outcome.CONFLICT, result.outcome(), existing);
            assertEquals(existing, result.text());
            assertTrue(result.detail().contains("line 1") || result.detail().contains("line 2"), result.detail());
        }
    }
}
