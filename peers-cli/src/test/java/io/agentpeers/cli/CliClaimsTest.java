package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.PeersClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peers list} shows the claims on paths, the holder's words escaped, in text and {@code --json}. */
class CliClaimsTest {
    @TempDir
    Path home;

    private EmbeddedBroker broker;
    private PeersClient agent;
    private InProcessCli cli;

    @BeforeEach
    void startBroker() {
        Path peersHome = home.resolve("p");
        broker = new EmbeddedBroker(peersHome);
        agent = broker.connect();
        String root = home.resolve("repo").toString();
        agent.register(RegisterRequest.of(root, ClientType.CLAUDE_CODE)
                .withName("reviewer")
                .withRepo(root, root + "/.git"));
        cli = new InProcessCli(home, peersHome);
    }

    @AfterEach
    void stopBroker() {
        agent.close();
        broker.close();
    }

    @Test
    void listShowsTheClaimsOfThePeersWithTheirNotesAsData() throws Exception {
        InProcessCli.Result before = cli.run("list");
        assertEquals(0, before.exit(), before::toString);
        assertFalse(before.out().contains("claims on paths"), "no claims: no table");

        agent.claimPaths(List.of("src/**"), 45, "parser \u001b]0;pwned\u0007 rewrite", false);
        InProcessCli.Result text = cli.run("list");
        assertEquals(0, text.exit(), text::toString);
        assertTrue(text.out().contains("claims on paths:"), text::toString);
        String row = text.out()
                .lines()
                .filter(l -> l.startsWith("reviewer"))
                .filter(l -> l.contains("src/**"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(text.out()));
        assertTrue(row.contains("live"), row);
        assertTrue(row.contains("44m") || row.contains("45m"), row);
        assertFalse(text.out().contains("\u001b]0;") || text.out().contains("\u0007"), "escaped: " + text.out());

        JsonNode json = cli.run("list", "--json").json();
        JsonNode claim = json.path("claims").get(0);
        assertEquals("src/**", claim.path("path").asText());
        assertEquals("reviewer", claim.path("holder").path("name").asText());
        assertTrue(claim.path("holder_live").asBoolean());
        assertTrue(claim.path("expires_at").isTextual());
    }
}
