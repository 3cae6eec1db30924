package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The peers table's PID column for a peer another broker on a shared database holds. */
class PeersTableTest {
    @Test
    void anotherBrokersPeerShowsItsPidAtItsHostAndTheHostIsData() {
        ArrayNode peers = JsonNodeFactory.instance.arrayNode();
        ObjectNode bob = peers.addObject()
                .put("id", "bob00001")
                .put("name", "bob")
                .put("client_type", "generic")
                .put("cwd", "/w")
                .put("summary", "")
                .put("last_seen", "2026-12-01T10:00:00.000Z")
                .put("verified", true)
                .put("pid", 4242);
        bob.putObject("broker").put("id", "b-abc").put("host", "build-box\u001b[2J");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Terminal out = new Terminal(
                new PrintStream(bytes, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                false);
        StatusCommands.printPeers(out, peers, Instant.parse("2026-12-01T10:00:05Z"));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("4242@build-box"), table);
        assertFalse(table.contains("\u001b"), "a host name reaches the terminal as data: " + table);
    }
}
