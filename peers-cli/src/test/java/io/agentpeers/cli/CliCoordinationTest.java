package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peers ask} and {@code peers release} in this JVM against an embedded broker. */
class CliCoordinationTest {
    @TempDir
    Path home;

    private EmbeddedBroker broker;
    private PeersClient reviewer;
    private PeersClient builder;
    private InProcessCli cli;

    @BeforeEach
    void startBroker() {
        broker = new EmbeddedBroker(home.resolve("p"));
        reviewer = broker.agent("reviewer", home);
        builder = broker.agent("builder", home);
        cli = new InProcessCli(home, home.resolve("p"));
    }

    @AfterEach
    void stopBroker() {
        reviewer.close();
        builder.close();
        broker.close();
    }

    @Test
    void askPrintsTheAnswerAndATimeoutSaysHowToWaitAgain() {
        reviewer.subscribe(envelope -> {
            if (envelope.message().replyTo() == null) {
                reviewer.send(
                        envelope.sender().id(), "port 8080", envelope.message().id());
            }
        });
        InProcessCli.Result answered = cli.run("ask", "reviewer", "which", "port?", "--json");
        assertEquals(0, answered.exit(), answered::toString);
        JsonNode result = answered.json();
        assertEquals("question", result.path("question").path("kind").asText());
        assertEquals(
                "port 8080", result.path("answer").path("message").path("text").asText());

        InProcessCli.Result silent = cli.run("ask", "builder", "done?", "--timeout", "1");
        assertEquals(1, silent.exit(), silent::toString);
        String id = silent.err().replaceAll("(?s).*peers ask --question (\\d+).*", "$1");
        assertTrue(id.matches("\\d+"), silent::toString);
        builder.send(askerOf("done?"), "not yet \u001b[31m", Long.parseLong(id));
        InProcessCli.Result late = cli.run("ask", "--question", id, "--timeout", "10");
        assertEquals(0, late.exit(), late::toString);
        assertTrue(late.out().contains("not yet"), late::toString);
        assertFalse(late.out().contains("\u001b[31m"), "peer text reaches the terminal escaped");

        InProcessCli.Result usage = cli.run("ask", "reviewer");
        assertEquals(2, usage.exit(), usage::toString);
    }

    @Test
    void releaseListsAndReleasesWhatThePingPongGuardHeld() {
        int limit = PeersLimits.defaults().maxExchanges();
        for (int i = 0; i < limit; i++) {
            (i % 2 == 0 ? reviewer : builder).send(i % 2 == 0 ? "builder" : "reviewer", "thanks " + i);
        }
        Results.Sent held = builder.send("reviewer", "you're welcome!");
        assertEquals(MessageState.HELD, held.message().state());
        assertThrows(NotAuthorizedException.class, () -> builder.release(null), "an agent cannot release");

        InProcessCli.Result listed = cli.run("release", "--list");
        assertEquals(0, listed.exit(), listed::toString);
        assertTrue(listed.out().contains("#" + held.message().id()), listed::toString);
        InProcessCli.Result released = cli.run("release", "reviewer", "--json");
        assertEquals(0, released.exit(), released::toString);
        assertEquals(1, released.json().path("released").asInt(), released::toString);
        assertEquals(
                "pending",
                released.json().path("messages").path(0).path("state").asText());
        InProcessCli.Result again = cli.run("release");
        assertTrue(again.out().contains("nothing was held"), again::toString);
    }

    /** The id of the CLI peer that asked the builder {@code question}. */
    private String askerOf(String question) {
        return builder.unread(10).stream()
                .filter(e -> e.message().text().equals(question))
                .findFirst()
                .orElseThrow()
                .message()
                .sender()
                .value();
    }
}
