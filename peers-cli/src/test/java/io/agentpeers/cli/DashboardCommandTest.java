package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.ProcessRef;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.wire.WireJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peers dashboard} against an embedded broker: it prints a one-time link on loopback, a second run
 * gives a new link to the same server, and the page's kill acts as the person under the broker's kill rules.
 */
class DashboardCommandTest {
    @TempDir
    Path home;

    private EmbeddedBroker broker;
    private PeersClient agent;
    private InProcessCli cli;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeEach
    void start() {
        Path peersHome = home.resolve("p");
        broker = new EmbeddedBroker(peersHome);
        agent = broker.agent("reviewer", home);
        cli = new InProcessCli(home, peersHome);
    }

    @AfterEach
    void stop() {
        agent.close();
        broker.close();
    }

    @Test
    void printsAOneTimeLinkAndServesOnOnePort() {
        InProcessCli.Result first = cli.run("dashboard", "--no-open");
        assertEquals(0, first.exit(), first::toString);
        URI url = URI.create(first.out().strip());
        assertEquals("127.0.0.1", url.getHost());
        assertTrue(url.getQuery().startsWith("token="), url.toString());
        assertTrue(first.err().contains("works once"), first::toString);

        InProcessCli.Result again = cli.run("dashboard", "--no-open", "--json");
        assertEquals(0, again.exit(), again::toString);
        assertFalse(again.json().path("started").asBoolean(), "the running dashboard is reused");
        assertEquals(url.getPort(), again.json().path("port").asInt());
        assertNotEquals(first.out().strip(), again.json().path("url").asText(), "each run gives a fresh token");

        InProcessCli.Result moved = cli.run("dashboard", "--no-open", "--port", String.valueOf(otherPort(url)));
        assertEquals(1, moved.exit(), moved::toString);
        assertTrue(moved.err().contains("already"), moved::toString);
        InProcessCli.Result bad = cli.run("dashboard", "--no-open", "--port", "70000");
        assertEquals(1, bad.exit(), bad::toString);
    }

    @Test
    void thePagesKillRunsAsThePersonUnderTheKillRules() throws Exception {
        URI url = URI.create(cli.run("dashboard", "--no-open").out().strip());
        HttpResponse<String> login =
                http.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, login.statusCode());
        String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        String origin = "http://" + url.getHost() + ":" + url.getPort();

        HttpResponse<String> sent =
                post(origin, cookie, "/api/send", "{\"to\":\"reviewer\",\"text\":\"from the page\"}");
        assertEquals(200, sent.statusCode(), sent.body());
        // The person's own commands take the CLI peer back after the page used it: same peer, same history.
        InProcessCli.Result history = cli.run("history", "--json");
        assertEquals(0, history.exit(), history::toString);
        assertEquals(
                "from the page",
                history.json().path("messages").get(0).path("text").asText(),
                history::toString);
        assertEquals(sent.headers().firstValue("content-type").orElse(""), "application/json; charset=utf-8");

        HttpResponse<String> self = kill(origin, cookie, "testuser");
        assertEquals(409, self.statusCode(), self.body());
        assertEquals(
                "kill_refused",
                WireJson.mapper()
                        .readTree(self.body())
                        .path("error")
                        .path("code")
                        .asText());

        HttpResponse<String> killed = kill(origin, cookie, "reviewer");
        assertEquals(200, killed.statusCode(), killed.body());
        JsonNode body = WireJson.mapper().readTree(killed.body());
        assertTrue(body.path("signalled").asBoolean());
        assertEquals(
                List.of(EmbeddedBroker.AGENT_PID),
                broker.processes().terminated().stream().map(ProcessRef::pid).toList(),
                "SIGTERM to the agent only");
    }

    private HttpResponse<String> kill(String origin, String cookie, String peer) throws Exception {
        return post(origin, cookie, "/api/kill", "{\"peer\":\"" + peer + "\"}");
    }

    private HttpResponse<String> post(String origin, String cookie, String path, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(origin + path))
                        .header("Cookie", cookie)
                        .header("Origin", origin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int otherPort(URI url) {
        return url.getPort() == 65_535 ? 65_534 : url.getPort() + 1;
    }
}
