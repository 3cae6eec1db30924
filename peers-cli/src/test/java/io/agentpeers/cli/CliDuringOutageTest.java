package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees while the broker cannot reach its database: a running broker, its database out of reach. */
class CliDuringOutageTest {
    @TempDir
    Path home;

    private EmbeddedBroker broker;
    private InProcessCli cli;

    @BeforeEach
    void startBroker() {
        Path peersHome = home.resolve("p");
        broker = new EmbeddedBroker(peersHome);
        cli = new InProcessCli(home, peersHome);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void statusSaysTheBrokerRunsWithoutItsDatabaseAndThatAcknowledgedMailIsKept() {
        broker.databaseDown(true);
        InProcessCli.Result text = cli.run("status");
        assertEquals(1, text.exit(), text::toString);
        assertTrue(text.out().contains("running, but it cannot reach its database"), text::toString);
        assertTrue(text.out().contains("unavailable: " + OutageSwitch.REFUSAL), text::toString);
        assertTrue(text.out().contains("mail it acknowledged is kept"), text::toString);

        InProcessCli.Result json = cli.run("status", "--json");
        assertEquals(1, json.exit(), json::toString);
        JsonNode node = json.json();
        assertEquals("running", node.path("broker").asText());
        assertFalse(node.path("store").path("available").asBoolean(true), json::toString);
        assertEquals(OutageSwitch.REFUSAL, node.path("store").path("error").asText());

        broker.databaseDown(false);
        InProcessCli.Result back = cli.run("status");
        assertEquals(0, back.exit(), back::toString);
        assertTrue(back.out().contains("0 pending"), back::toString);
    }

    @Test
    void doctorFailsTheDatabaseCheckAndSaysTheBrokerReconnectsByItself() {
        broker.databaseDown(true);
        InProcessCli.Result result = cli.run("doctor", "--json");
        JsonNode database = null;
        JsonNode brokerCheck = null;
        for (JsonNode check : result.json().path("checks")) {
            if (check.path("name").asText().equals("database")) {
                database = check;
            }
            if (check.path("name").asText().equals("broker")) {
                brokerCheck = check;
            }
        }
        assertTrue(database != null && brokerCheck != null, result::toString);
        assertEquals("ok", brokerCheck.path("verdict").asText().toLowerCase(java.util.Locale.ROOT), result::toString);
        assertEquals("fail", database.path("verdict").asText().toLowerCase(java.util.Locale.ROOT), result::toString);
        assertEquals(OutageSwitch.REFUSAL, database.path("detail").asText());
        assertTrue(database.path("fix").asText().contains("reconnects by itself"), result::toString);
        assertFalse(result.json().path("ok").asBoolean(true));
    }

    @Test
    void aSendIsRefusedWithTheBrokersSentenceAndWhereToLookNext() {
        broker.databaseDown(true);
        InProcessCli.Result result = cli.run("send", "someone", "hello");
        assertEquals(1, result.exit(), result::toString);
        assertTrue(result.err().contains("cannot reach its database"), result::toString);
        assertTrue(result.err().contains("`peers status` says when"), result::toString);
    }
}
