package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.core.PeerStillConnectedException;
import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.testkit.Await;
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

/** Every command in this JVM against an embedded broker: text, {@code --json} shapes and exit codes. */
class CliAgainstEmbeddedBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path home;

    private Path peersHome;
    private EmbeddedBroker broker;
    private PeersClient agent;
    private InProcessCli cli;

    @BeforeEach
    void startBroker() throws Exception {
        peersHome = home.resolve("p");
        broker = new EmbeddedBroker(peersHome);
        agent = broker.agent("reviewer", home);
        agent.setSummary("reviewing the parser");
        cli = new InProcessCli(home, peersHome);
    }

    @AfterEach
    void stopBroker() {
        agent.close();
        broker.close();
    }

    @Test
    void statusPrintsTheBrokerAndItsCountsAsTextAndJson() {
        InProcessCli.Result text = cli.run("status");
        assertEquals(0, text.exit(), text::toString);
        assertTrue(text.out().contains("running"), text::toString);
        assertTrue(text.out().contains("1 live"), text::toString);
        assertFalse(text.out().contains("\u001b["), "no colour without a terminal");

        InProcessCli.Result json = cli.run("status", "--json");
        assertEquals(0, json.exit(), json::toString);
        InProcessCli.Result jsonFirst = cli.run("--json", "status");
        assertEquals(0, jsonFirst.exit(), jsonFirst::toString);
        assertEquals(1, jsonFirst.json().path("peers").path("live").asInt(), "--json before the command: " + jsonFirst);
        JsonNode stats = json.json();
        assertEquals(PeersClient.VERSION, stats.path("broker_version").asText());
        assertEquals(1, stats.path("peers").path("live").asInt());
        assertTrue(stats.path("messages").has("pending"));
        assertTrue(stats.path("orphans").isArray());
        assertEquals(ProcessHandle.current().pid(), stats.path("pid").asLong());
    }

    @Test
    void listShowsTheOtherPeersAndScopes() throws Exception {
        InProcessCli.Result table = cli.run("peers");
        assertEquals(0, table.exit(), table::toString);
        assertTrue(
                table.out()
                        .lines()
                        .anyMatch(l -> l.contains("reviewer")
                                && l.contains("claude-code")
                                && l.contains(" poll ")
                                && l.contains("reviewing the parser")),
                table::toString);
        agent.setDelivery(new Delivery(DeliveryPath.INBOX_WAKE, false));
        InProcessCli.Result unconfirmed = cli.run("peers");
        assertTrue(unconfirmed.out().contains(" inbox-wake? "), "not yet seen working: " + unconfirmed);
        assertTrue(table.out().lines().findFirst().orElse("").startsWith("ID"), "a table with a header: " + table);

        InProcessCli.Result json = cli.run("list", "--json", "--scope", "directory");
        assertEquals(0, json.exit(), json::toString);
        JsonNode peers = json.json().path("peers");
        assertEquals(1, peers.size(), json::toString);
        assertEquals("reviewer", peers.get(0).path("name").asText());
        assertEquals(agent.self().id(), peers.get(0).path("id").asText());
        assertEquals("inbox-wake", peers.get(0).path("delivery").path("path").asText(), json::toString);

        Path elsewhere = Files.createDirectories(home.resolve("elsewhere"));
        InProcessCli.Result none = cli.cwd(elsewhere).run("list", "--json", "--scope", "directory");
        assertEquals(0, none.json().path("peers").size(), none::toString);
        InProcessCli.Result noneText = cli.run("list", "--scope", "directory");
        assertTrue(noneText.out().contains("no other peers (directory scope)"), noneText::toString);

        assertEquals(2, cli.run("list", "--scope", "galaxy").exit(), "an unknown scope is a usage error");
    }

    @Test
    void textOtherPeersControlReachesTheTerminalEscaped() {
        String hostile = "fine\u001b]0;owned\u0007\r\u001b[2J\u001b[31mred\u202e";
        agent.setSummary(hostile);
        assertEquals(0, cli.run("inbox").exit(), "the person's CLI peer exists");
        agent.send("testuser", "line one\nline two" + hostile, null);
        assertTrue(cli.run("inbox", "--keep").out().contains("\n  line two"), "a message's own lines stay lines");

        for (String[] command : List.of(new String[] {"peers"}, new String[] {"inbox"}, new String[] {"history"})) {
            InProcessCli.Result result = cli.run(command);
            assertEquals(0, result.exit(), result::toString);
            String out = result.out();
            for (char control : new char[] {'\u001b', '\u0007', '\r', '\u202e'}) {
                assertEquals(-1, out.indexOf(control), command[0] + " printed a raw control character: " + out);
            }
            assertTrue(out.contains("\\x1b"), command[0] + " shows the escape visibly: " + out);
        }
    }

    @Test
    void jsonOutputEscapesWhatActsOnATerminalAndParsesBackToTheSameText() throws Exception {
        String hostile = "csi\u009b2J nel\u0085 del\u007f ls\u2028 rlo\u202e esc\u001b[2J é";
        agent.setSummary(hostile);
        assertEquals(0, cli.run("inbox").exit(), "the person's CLI peer exists");
        agent.send("testuser", hostile, null);
        for (String[] command :
                List.of(new String[] {"peers", "--json"}, new String[] {"inbox", "--keep", "--json"}, new String[] {
                    "history", "--json"
                })) {
            InProcessCli.Result result = cli.run(command);
            assertEquals(0, result.exit(), result::toString);
            result.out()
                    .chars()
                    .forEach(c -> assertTrue(
                            c == '\n' || !io.agentpeers.protocol.PeerText.isControl((char) c),
                            command[0] + " printed a raw control character " + Integer.toHexString(c) + ": "
                                    + result.out()));
            assertTrue(result.out().contains("\\u009b") && result.out().contains("é"), result::toString);
            List<String> texts = new java.util.ArrayList<>();
            textsIn(result.json(), texts);
            assertTrue(texts.contains(hostile), "the JSON parses back to the text: " + result);
        }
    }

    private static void textsIn(JsonNode node, List<String> texts) {
        if (node.isTextual()) {
            texts.add(node.asText());
        }
        node.forEach(child -> textsIn(child, texts));
    }

    @Test
    void sendCarriesTheVerifiedCliIdentityAndAnswersWaitInTheInbox() {
        InProcessCli.Result sent = cli.run("send", "reviewer", "please", "review", "--json");
        assertEquals(0, sent.exit(), sent::toString);
        assertEquals("please review", sent.json().path("message").path("text").asText());
        assertEquals("reviewer", sent.json().path("recipient").path("name").asText());

        List<Envelope> pending = agent.pending(10);
        assertEquals(1, pending.size());
        PeerInfo sender = agent.getPeer(pending.get(0).sender().id());
        assertEquals(ClientType.CLI, sender.clientType());
        assertEquals("testuser", sender.name(), "named after USER, letters and digits only");
        assertTrue(sender.verified(), "the CLI's uid and pid come from the socket");
        assertEquals(ProcessHandle.current().pid(), sender.pid());

        InProcessCli.Result plain = cli.run("send", "reviewer", "and", "the", "lexer");
        assertEquals(0, plain.exit(), plain::toString);
        assertTrue(
                plain.out().startsWith("sent #")
                        && plain.out().contains("to reviewer (claude-code; seen when it next checks or waits"),
                plain::toString);

        agent.send("testuser", "done, one nit", pending.get(0).message().id());
        InProcessCli.Result inbox = cli.run("inbox", "--json");
        assertEquals(0, inbox.exit(), inbox::toString);
        JsonNode messages = inbox.json().path("messages");
        assertEquals(1, messages.size(), inbox::toString);
        assertEquals(
                "done, one nit", messages.get(0).path("message").path("text").asText());
        assertEquals("reviewer", messages.get(0).path("sender").path("name").asText());

        InProcessCli.Result again = cli.run("inbox");
        assertEquals(0, again.exit(), again::toString);
        assertTrue(again.out().contains("no unread messages"), "the inbox marked them read: " + again);

        agent.send("testuser", "line one\nline two");
        InProcessCli.Result kept = cli.run("inbox", "--keep");
        assertTrue(
                kept.out().contains("from reviewer (claude-code)") && kept.out().contains("  line one\n  line two"),
                kept::toString);
        assertTrue(cli.run("inbox").out().contains("line two"), "--keep left it unread");

        InProcessCli.Result history = cli.run("history", "reviewer", "--json");
        JsonNode all = history.json().path("messages");
        assertEquals(4, all.size(), history::toString);
        assertEquals("read", all.get(0).path("state").asText(), "newest first: the last answer, now read");
        InProcessCli.Result historyText = cli.run("history", "reviewer");
        assertTrue(
                historyText
                        .out()
                        .lines()
                        .anyMatch(l -> l.contains("you") && l.contains("reviewer") && l.contains("please review")),
                historyText::toString);
    }

    @Test
    void sendReadsStdinAndWaitsForTheReply() {
        agent.subscribe(envelope -> agent.send(
                envelope.sender().id(),
                "pong: " + envelope.message().text(),
                envelope.message().id()));
        InProcessCli.Result waited =
                cli.runWithInput("ping from stdin\n", "send", "reviewer", "-", "--wait", "--timeout", "30", "--json");
        assertEquals(0, waited.exit(), waited::toString);
        JsonNode result = waited.json();
        assertEquals("ping from stdin", result.path("message").path("text").asText());
        assertEquals(
                "pong: ping from stdin",
                result.path("reply").path("message").path("text").asText());
        assertEquals(
                result.path("message").path("id").asLong(),
                result.path("reply").path("message").path("reply_to").asLong());

        InProcessCli.Result text = cli.run("send", "reviewer", "again", "--wait", "--timeout", "30");
        assertEquals(0, text.exit(), text::toString);
        assertTrue(text.out().contains("pong: again"), text::toString);

        InProcessCli.Result empty = cli.runWithInput("\n", "send", "reviewer", "-");
        assertEquals(1, empty.exit(), empty::toString);
        assertTrue(empty.err().contains("the message is empty"), empty::toString);
    }

    @Test
    void aCommandThatDiedBeforeStoringTheNewSecretLosesNothing() throws Exception {
        assertEquals(0, cli.run("inbox").exit());
        Path secretFile = peersHome.resolve(CliPerson.SECRET_FILE);
        String stored = Files.readString(secretFile).strip();
        // A `peers` command resumed the CLI peer with the stored secret and died before it wrote the new one.
        try (PeersClient dying = broker.connect()) {
            // Until the broker has seen the `inbox` command's socket close, its peer is still connected.
            Await.until(
                    WAIT,
                    () -> resumed(
                            dying,
                            RegisterRequest.of(home.toString(), ClientType.CLI).withResumeSecret(stored)),
                    "the CLI peer resumes once the last command's connection is closed");
        }
        assertEquals(stored, Files.readString(secretFile).strip(), "the file still holds the old secret");
        agent.send("testuser", "did this reach you?");

        InProcessCli.Result inbox = cli.run("inbox");
        assertEquals(0, inbox.exit(), inbox::toString);
        assertTrue(inbox.out().contains("did this reach you?"), inbox::toString);
        assertFalse(inbox.err().contains("is taken"), "no second CLI identity: " + inbox);
    }

    @Test
    void otherCommandsRunWhileASendWaitsForItsReply() throws Exception {
        InProcessCli.Running waiting =
                cli.start("send", "reviewer", "are the tests green?", "--wait", "--timeout", "60");
        Await.until(Duration.ofSeconds(20), () -> !agent.pending(10).isEmpty(), "the question arrived");
        long question = agent.pending(10).get(0).message().id();
        try (PeersClient other = broker.agent("other", home)) {
            other.send("testuser", "an unrelated note");
        }

        for (int i = 0; i < 3; i++) {
            InProcessCli.Result inbox = cli.run("inbox", "--keep");
            assertEquals(0, inbox.exit(), "while send --wait waits, inbox runs too: " + inbox);
            assertTrue(inbox.out().contains("an unrelated note"), inbox::toString);
            InProcessCli.Result sent = cli.run("send", "reviewer", "and another thing " + i);
            assertEquals(0, sent.exit(), sent::toString);
        }

        agent.send("testuser", "yes, all green", question);
        assertEquals(0, waiting.exit().get(30, TimeUnit.SECONDS), waiting.errText());
        assertTrue(waiting.outText().contains("yes, all green"), waiting.outText());
        // One CLI peer throughout: no second identity ("testusercli") was made while the first was held.
        JsonNode others = cli.run("list", "--json", "--scope", "machine").json().path("peers");
        for (JsonNode peer : others) {
            assertNotEquals("cli", peer.path("client_type").asText(), others.toString());
        }
    }

    @Test
    void aWaitWithoutAReplyFailsAndTheAnswerWaitsInTheInbox() {
        InProcessCli.Result waited = cli.run("send", "reviewer", "anyone?", "--wait", "--timeout", "1");
        assertEquals(1, waited.exit(), waited::toString);
        assertTrue(waited.err().contains("no reply from reviewer within 1 s"), waited::toString);

        agent.send("testuser", "sorry, late", agent.pending(10).get(0).message().id());
        InProcessCli.Result inbox = cli.run("inbox", "--json");
        assertEquals(
                "sorry, late",
                inbox.json()
                        .path("messages")
                        .get(0)
                        .path("message")
                        .path("text")
                        .asText(),
                inbox::toString);
    }

    @Test
    void theResumeSecretIsPrivateAndRotates() throws Exception {
        assertEquals(0, cli.run("list").exit());
        Path secret = peersHome.resolve("cli.secret");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        String first = Files.readString(secret, StandardCharsets.US_ASCII);
        InProcessCli.Result second = cli.run("list", "--json");
        assertEquals(0, second.exit(), second::toString);
        assertNotEquals(first, Files.readString(secret, StandardCharsets.US_ASCII));
        var counts = broker.broker().network().counts();
        assertEquals(
                2,
                counts.livePeers() + counts.gonePeers(),
                "the reviewer and one CLI peer: the second command resumed the first one's peer");
    }

    @Test
    void aTakenNameFallsBackToTheCliSuffix() {
        try (PeersClient squatter = broker.connect()) {
            squatter.register(
                    RegisterRequest.of(home.toString(), ClientType.GENERIC).withName("testuser"));
            InProcessCli.Result sent = cli.run("send", "reviewer", "hi");
            assertEquals(0, sent.exit(), sent::toString);
            assertTrue(sent.err().contains("registering as testusercli"), sent::toString);
            assertEquals("testusercli", agent.pending(10).get(0).sender().name());
        }
    }

    @Test
    void failuresAreOneSentenceWithExitCodes() {
        InProcessCli.Result unknown = cli.run("send", "reviewr", "hi");
        assertEquals(1, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().contains("reviewer"), "suggests the near name: " + unknown);
        assertFalse(unknown.err().contains("\tat "), "no stack trace without --verbose");
        assertEquals(1, unknown.err().strip().lines().count(), "one sentence: " + unknown);
        assertEquals(1, unknown.err().split("did you mean", -1).length - 1, "the suggestion once: " + unknown);
        InProcessCli.Result nobody = cli.run("send", "qqqqqqqqqqqq", "hi");
        assertEquals(1, nobody.exit(), nobody::toString);
        assertTrue(
                nobody.err().contains("`peers list` shows who is there")
                        && !nobody.err().contains("list_peers"),
                "the fix names the CLI's command, not the MCP tool: " + nobody);
        InProcessCli.Result noSuchMessage = cli.run("send", "reviewer", "hi", "--reply-to", "999");
        assertEquals(1, noSuchMessage.exit(), noSuchMessage::toString);
        assertTrue(noSuchMessage.err().contains("`peers history`"), noSuchMessage::toString);

        InProcessCli.Result verbose = cli.run("kill", "nobody", "--verbose");
        assertEquals(1, verbose.exit(), verbose::toString);
        assertTrue(verbose.err().contains("\tat "), "--verbose shows the trace: " + verbose);
        InProcessCli.Result verboseFirst = cli.run("-v", "kill", "nobody");
        assertEquals(1, verboseFirst.exit(), verboseFirst::toString);
        assertTrue(verboseFirst.err().contains("\tat "), "-v before the command too: " + verboseFirst);

        InProcessCli.Result usage = cli.run("send");
        assertEquals(2, usage.exit(), usage::toString);
        assertTrue(usage.err().contains("Usage"), usage::toString);
        assertEquals(2, cli.run("no-such-command").exit());
        assertEquals(2, cli.run().exit(), "no command prints the usage");
        assertEquals(2, cli.run("install").exit(), "install without a target prints its usage");
        assertEquals(2, cli.run("broker").exit(), "broker without a subcommand prints its usage");
        InProcessCli.Result help = cli.run("--help");
        assertEquals(0, help.exit(), help::toString);
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("3   broker unreachable"), help::toString);
    }

    @Test
    void killSignalsTheAgentProcessOnly() {
        InProcessCli.Result killed = cli.run("kill", "reviewer", "--json");
        assertEquals(0, killed.exit(), killed::toString);
        assertTrue(killed.json().path("signalled").asBoolean(), killed::toString);
        assertEquals("reviewer", killed.json().path("peer").path("name").asText());
        assertEquals(
                EmbeddedBroker.AGENT_PID,
                killed.json().path("peer").path("agent_pid").asLong());
        assertEquals(
                List.of(EmbeddedBroker.AGENT_PID),
                broker.processes().terminated().stream().map(ProcessRef::pid).toList(),
                "SIGTERM to the agent only");

        // An agent that already exited: nothing is signalled.
        try (PeersClient builder = broker.connect()) {
            broker.processes().start(EmbeddedBroker.AGENT_PID, 1, broker.uid(), 33);
            builder.register(RegisterRequest.of(home.toString(), ClientType.CODEX)
                    .withName("builder")
                    .withAgentPid(EmbeddedBroker.AGENT_PID));
            broker.processes().exit(EmbeddedBroker.AGENT_PID);
            InProcessCli.Result text = cli.run("kill", "builder");
            assertEquals(0, text.exit(), text::toString);
            assertTrue(
                    text.out().contains("builder's agent had already exited: nothing was signalled"), text::toString);
            assertEquals(1, broker.processes().terminated().size(), "no second signal");
            InProcessCli.Result self = cli.run("kill", "testuser");
            assertEquals(1, self.exit(), self::toString);
            assertTrue(self.err().contains("you cannot kill yourself"), self::toString);
        }
    }

    @Test
    void orphansCleanupDoctorAndBrokerStatusSpeakJson() {
        JsonNode orphans = cli.run("orphans", "--json").json();
        assertTrue(orphans.path("orphans").isArray());
        assertEquals(0, orphans.path("orphans").size());
        assertTrue(cli.run("orphans").out().contains("no orphans"));
        JsonNode cleanup = cli.run("cleanup", "--json").json();
        assertEquals(0, cleanup.path("terminated").asInt());
        assertTrue(cleanup.path("orphans").isArray());
        assertTrue(cli.run("cleanup").out().contains("no orphans to clean up"));

        InProcessCli.Result status = cli.run("broker", "status", "--json");
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.json().path("running").asBoolean());
        assertEquals(broker.socket().toString(), status.json().path("socket").asText());
        assertEquals(ProcessHandle.current().pid(), status.json().path("pid").asLong());
        InProcessCli.Result statusText = cli.run("broker", "status");
        assertTrue(statusText.out().startsWith("running: peers broker " + PeersClient.VERSION), statusText::toString);

        InProcessCli.Result doctor = cli.run("doctor", "--json");
        assertEquals(0, doctor.exit(), doctor::toString);
        assertTrue(doctor.json().path("ok").asBoolean(), doctor::toString);
        List<String> names = doctor.json().path("checks").findValuesAsText("name");
        assertTrue(
                names.containsAll(
                        List.of("java", "socket", "broker", "database", "claude code", "claude code hooks", "codex")),
                names::toString);
        doctor.json()
                .path("checks")
                .forEach(check -> assertTrue(
                        List.of("ok", "info", "warn", "fail")
                                .contains(check.path("verdict").asText()),
                        check::toString));
        InProcessCli.Result doctorText = cli.run("doctor");
        assertEquals(0, doctorText.exit(), doctorText::toString);
        assertTrue(doctorText.out().contains("peers looks healthy"), doctorText::toString);
    }

    @Test
    void watchTailsEventsWithoutTakingMessages() throws Exception {
        InProcessCli.Running watch = cli.start("watch", "--json", "--count", "2", "--for", "30");
        Await.until(WAIT, () -> watch.errText().startsWith("watching"), "watch says it observes");
        try (PeersClient other = broker.connect()) {
            other.register(
                    RegisterRequest.of(home.toString(), ClientType.GENERIC).withName("builder"));
            other.send("reviewer", "build is green");
        }
        assertEquals(0, watch.exit().get(30, TimeUnit.SECONDS), "watch stops after --count events");
        List<String> lines = watch.outText().lines().toList();
        assertEquals(2, lines.size(), watch.outText());
        assertEquals(
                "peer_joined",
                InProcessCli.JSON.readTree(lines.get(0)).path("type").asText());
        assertEquals(
                "message_sent",
                InProcessCli.JSON.readTree(lines.get(1)).path("type").asText());
        assertEquals(1, agent.pending(10).size(), "the observer took nothing from the recipient");

        InProcessCli.Running text = cli.start("watch", "--count", "1", "--for", "30");
        Await.until(WAIT, () -> text.errText().startsWith("watching"), "watch says it observes");
        agent.setSummary("now on the lexer");
        assertEquals(0, text.exit().get(30, TimeUnit.SECONDS));
        assertTrue(text.outText().contains("~ reviewer now: now on the lexer"), text.outText());
    }

    @Test
    void watchNamesThePeersThatWereThereBeforeItAndEscapesWhatTheyWrite() throws Exception {
        try (PeersClient builder = broker.agent("builder", home)) {
            InProcessCli.Running watch = cli.start("watch", "--count", "2", "--for", "30");
            Await.until(WAIT, () -> watch.errText().startsWith("watching"), "watch says it observes");
            builder.send("reviewer", "build is green");
            agent.setSummary("on it \u001b]0;owned\u0007\u001b[31m");
            assertEquals(0, watch.exit().get(30, TimeUnit.SECONDS), watch.errText());
            String out = watch.outText();
            assertTrue(out.contains("builder -> reviewer: build is green"), "names, not ids: " + out);
            assertTrue(out.contains("~ reviewer now: on it \\x1b]0;owned\\x07\\x1b[31m"), out);
            assertEquals(-1, out.indexOf('\u001b'), "no raw escape reaches the terminal: " + out);
        }
    }

    @Test
    void watchSaysWhenTheBrokerGoesAndComesBack() throws Exception {
        InProcessCli.Running watch = cli.start("watch", "--count", "1", "--for", "60");
        Await.until(WAIT, () -> watch.errText().startsWith("watching"), "watch says it observes");
        // The broker goes first: an agent closing its own connection first is an event, and --count 1 would end
        // the watch on it before the broker went.
        broker.close();
        agent.close();
        Await.until(WAIT, () -> watch.outText().contains("! the broker is gone"), "watch says the broker went");
        broker = new EmbeddedBroker(peersHome);
        Await.until(WAIT, () -> watch.outText().contains("! the broker is back"), "and that it came back");
        agent = broker.agent("reviewer", home);
        assertEquals(0, watch.exit().get(30, TimeUnit.SECONDS), watch.errText());
        List<String> lines = watch.outText().lines().toList();
        assertEquals(3, lines.size(), watch.outText());
        assertTrue(lines.get(2).contains("+ reviewer joined"), "events flow again: " + watch.outText());
    }

    @Test
    void watchWithJsonReportsTheBrokerGoingAsItsOwnLines() throws Exception {
        InProcessCli.Running watch = cli.start("--json", "watch", "--count", "1", "--for", "60");
        Await.until(WAIT, () -> watch.errText().startsWith("watching"), "watch says it observes");
        // The broker goes first: an agent closing its own connection first is an event, and --count 1 would end
        // the watch on it before the broker went.
        broker.close();
        agent.close();
        Await.until(WAIT, () -> watch.outText().contains("broker_gone"), "watch says the broker went");
        broker = new EmbeddedBroker(peersHome);
        Await.until(WAIT, () -> watch.outText().contains("broker_back"), "and that it came back");
        agent = broker.agent("reviewer", home);
        assertEquals(0, watch.exit().get(30, TimeUnit.SECONDS), watch.errText());
        List<String> types = new java.util.ArrayList<>();
        for (String line : watch.outText().lines().toList()) {
            types.add(InProcessCli.JSON.readTree(line).path("type").asText());
        }
        assertEquals(List.of("broker_gone", "broker_back", "peer_joined"), types.subList(0, 3), watch.outText());
    }

    private static boolean resumed(PeersClient client, RegisterRequest request) {
        try {
            client.register(request);
            return true;
        } catch (PeerStillConnectedException e) {
            return false;
        }
    }
}
