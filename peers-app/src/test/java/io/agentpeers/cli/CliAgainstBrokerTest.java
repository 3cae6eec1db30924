package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as real processes against a real broker (embedded, on a socket in a temp folder). */
class CliAgainstBrokerTest {
    private static final ClientOptions OPTIONS = ClientOptions.defaults().withReconnect(false)
            .withRequestTimeout(Duration.ofSeconds(20));

    @TempDir
    Path home;

    private Path peersHome;
    private PeersBroker broker;
    private InMemoryPeerStore store;
    private PeersClient agent;
    private CliProcess cli;

    @BeforeEach
    void startBroker() throws Exception {
        peersHome = Files.createDirectories(home.resolve("p"));
        store = new InMemoryPeerStore();
        broker = PeersBroker.builder().listen(new UnixSocketListener(peersHome.resolve("peers.sock"))).store(store)
                .lockFile(peersHome.resolve("broker.lock")).start();
        agent = PeersClient.connect(new UnixSocketConnector(peersHome.resolve("peers.sock")), OPTIONS);
        agent.register(RegisterRequest.of(home.toString(), ClientType.CLAUDE_CODE).withName("reviewer"));
        agent.setSummary("reviewing the parser");
        cli = new CliProcess(home, peersHome);
    }

    @AfterEach
    void stopBroker() {
        agent.close();
        broker.close();
        store.close();
    }

    @Test
    void statusPrintsTheBrokerAndItsCountsAsTextAndJson() throws Exception {
        CliProcess.Result text = cli.run("status");
        assertEquals(0, text.exit(), text::toString);
        assertTrue(text.out().contains("running"), text::toString);
        assertTrue(text.out().contains("1 live"), text::toString);
        assertFalse(text.out().contains("\u001b["), "no colour without a terminal");

        CliProcess.Result json = cli.run("status", "--json");
        assertEquals(0, json.exit(), json::toString);
        JsonNode stats = json.json();
        assertEquals(PeersClient.VERSION, stats.path("broker_version").asText());
        assertEquals(1, stats.path("peers").path("live").asInt());
        assertTrue(stats.path("messages").has("pending"));
        assertTrue(stats.path("orphans").isArray());
        assertEquals(ProcessHandle.current().pid(), stats.path("pid").asLong());
    }

    @Test
    void listShowsTheOtherPeersAndScopes() throws Exception {
        CliProcess.Result table = cli.run("peers");
        assertEquals(0, table.exit(), table::toString);
        assertTrue(table.out().lines().anyMatch(l -> l.contains("reviewer") && l.contains("claude-code")
                && l.contains("reviewing the parser")), table::toString);

        CliProcess.Result json = cli.run("list", "--json", "--scope", "directory");
        assertEquals(0, json.exit(), json::toString);
        JsonNode peers = json.json().path("peers");
        assertEquals(1, peers.size(), json::toString);
        assertEquals("reviewer", peers.get(0).path("name").asText());

        Path elsewhere = Files.createDirectories(home.resolve("elsewhere"));
        CliProcess.Result none = cli.cwd(elsewhere).run("list", "--json", "--scope", "directory");
        assertEquals(0, none.json().path("peers").size(), none::toString);

        assertEquals(2, cli.run("list", "--scope", "galaxy").exit(), "an unknown scope is a usage error");
    }

    @Test
    void sendCarriesTheVerifiedCliIdentityAndAnswersWaitInTheInbox() throws Exception {
        CliProcess.Result sent = cli.run("send", "reviewer", "please", "review", "--json");
        assertEquals(0, sent.exit(), sent::toString);
        assertEquals("please review", sent.json().path("message").path("text").asText());

        List<Envelope> pending = agent.pending(10);
        assertEquals(1, pending.size());
        PeerInfo sender = agent.getPeer(pending.get(0).sender().id());
        assertEquals(ClientType.CLI, sender.clientType());
        assertEquals("testuser", sender.name());
        assertTrue(sender.verified(), "the CLI's uid and pid come from the socket");
        assertTrue(sender.pid() != null && sender.pid() > 0);

        agent.send("testuser", "done, one nit", pending.get(0).message().id());
        CliProcess.Result inbox = cli.run("inbox", "--json");
        assertEquals(0, inbox.exit(), inbox::toString);
        JsonNode messages = inbox.json().path("messages");
        assertEquals(1, messages.size(), inbox::toString);
        assertEquals("done, one nit", messages.get(0).path("message").path("text").asText());
        assertEquals("reviewer", messages.get(0).path("sender").path("name").asText());

        CliProcess.Result again = cli.run("inbox");
        assertEquals(0, again.exit(), again::toString);
        assertTrue(again.out().contains("no unread messages"), "the inbox marked them read: " + again);

        CliProcess.Result history = cli.run("history", "reviewer", "--json");
        JsonNode both = history.json().path("messages");
        assertEquals(2, both.size(), history::toString);
        assertEquals("read", both.get(0).path("state").asText(), "newest first: the answer, now read");
    }

    @Test
    void sendReadsStdinAndWaitsForTheReply() throws Exception {
        agent.subscribe(envelope -> agent.send(envelope.sender().id(), "pong: " + envelope.message().text(),
                envelope.message().id()));
        CliProcess.Result waited = cli.runWithInput("ping from stdin\n", "send", "reviewer", "-", "--wait",
                "--timeout", "30", "--json");
        assertEquals(0, waited.exit(), waited::toString);
        JsonNode result = waited.json();
        assertEquals("ping from stdin", result.path("message").path("text").asText());
        assertEquals("pong: ping from stdin", result.path("reply").path("message").path("text").asText());
        assertEquals(result.path("message").path("id").asLong(), result.path("reply").path("message").path("reply_to").asLong());

        CliProcess.Result text = cli.run("send", "reviewer", "again", "--wait", "--timeout", "30");
        assertEquals(0, text.exit(), text::toString);
        assertTrue(text.out().contains("pong: again"), text::toString);
    }

    @Test
    void theResumeSecretIsPrivateAndRotates() throws Exception {
        assertEquals(0, cli.run("list").exit());
        Path secret = peersHome.resolve("cli.secret");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        String first = Files.readString(secret, StandardCharsets.US_ASCII);
        CliProcess.Result second = cli.run("list", "--json");
        assertEquals(0, second.exit(), second::toString);
        assertNotEquals(first, Files.readString(secret, StandardCharsets.US_ASCII));
        assertEquals(2, broker.network().counts().livePeers() + broker.network().counts().gonePeers(),
                "the reviewer and one CLI peer: the second command resumed the first one's peer");
    }

    @Test
    void failuresAreOneSentenceWithExitCodes() throws Exception {
        CliProcess.Result unknown = cli.run("send", "reviewr", "hi");
        assertEquals(1, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().contains("reviewer"), "suggests the near name: " + unknown);
        assertFalse(unknown.err().contains("\tat "), "no stack trace without --verbose");

        CliProcess.Result verbose = cli.run("kill", "nobody", "--verbose");
        assertEquals(1, verbose.exit(), verbose::toString);
        assertTrue(verbose.err().contains("\tat "), "--verbose shows the trace: " + verbose);

        assertEquals(2, cli.run("send").exit());
        assertEquals(2, cli.run("no-such-command").exit());
    }

    @Test
    void orphansCleanupDoctorAndBrokerStatusSpeakJson() throws Exception {
        JsonNode orphans = cli.run("orphans", "--json").json();
        assertTrue(orphans.path("orphans").isArray());
        JsonNode cleanup = cli.run("cleanup", "--json").json();
        assertEquals(0, cleanup.path("terminated").asInt());

        CliProcess.Result status = cli.run("broker", "status", "--json");
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.json().path("running").asBoolean());
        assertEquals(peersHome.resolve("peers.sock").toString(), status.json().path("socket").asText());

        CliProcess.Result doctor = cli.run("doctor", "--json");
        assertEquals(0, doctor.exit(), doctor::toString);
        assertTrue(doctor.json().path("ok").asBoolean());
        List<String> names = doctor.json().path("checks").findValuesAsText("name");
        assertTrue(names.containsAll(List.of("java", "socket", "broker", "database", "claude code", "codex")), names::toString);
    }

    @Test
    void watchTailsEventsWithoutTakingMessages() throws Exception {
        Process watch = cli.start("watch", "--json", "--count", "2", "--for", "30");
        try {
            String banner = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getErrorStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertTrue(banner != null && banner.startsWith("watching"), "watch says when it observes: " + banner);
            try (PeersClient other = PeersClient.connect(new UnixSocketConnector(peersHome.resolve("peers.sock")), OPTIONS)) {
                other.register(RegisterRequest.of(home.toString(), ClientType.GENERIC).withName("builder"));
                other.send("reviewer", "build is green");
            }
            assertTrue(watch.waitFor(30, TimeUnit.SECONDS), "watch stops after --count events");
            String out = new String(watch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = out.lines().toList();
            assertEquals(2, lines.size(), out);
            assertEquals("peer_joined", CliProcess.JSON.readTree(lines.get(0)).path("type").asText());
            assertEquals("message_sent", CliProcess.JSON.readTree(lines.get(1)).path("type").asText());
            assertEquals(1, agent.pending(10).size(), "the observer took nothing from the recipient");
        } finally {
            CliProcess.end(watch);
        }
    }
}
