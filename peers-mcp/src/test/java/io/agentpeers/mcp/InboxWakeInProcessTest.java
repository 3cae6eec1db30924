package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.testkit.Await;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP server in this JVM, as Claude Code starts it (with its session's inbox in the environment),
 * against an embedded broker and a {@link FakeSessionInbox}: a peer's messages wake the session with one
 * body-free nudge per burst, again after a read; a dead inbox breaks nothing; the token shows nowhere.
 */
class InboxWakeInProcessTest {
    private static final Duration SOON = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofMillis(1500);
    /** A burst within 300 ms is one nudge, as in production; the other times are shorter than there. */
    private static final InboxNudger.Timing TIMING = new InboxNudger.Timing(
            Duration.ofMillis(300),
            Duration.ofMillis(500),
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            Duration.ofSeconds(2));

    @TempDir
    Path home;

    private PeersBroker broker;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void start() {
        broker = PeersBroker.builder()
                .listen(new UnixSocketListener(home.resolve("peers.sock")))
                .store(new InMemoryPeerStore())
                .processes(ThisJvm.processTable())
                .sweepInterval(Duration.ofMinutes(10))
                .start();
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, stderr), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setErr(originalErr);
        broker.close();
    }

    private McpSettings settings(String clientType, Path inbox) {
        PeersPaths paths = PeersPaths.from(
                Map.of(
                        "PEERS_HOME",
                        home.toString(),
                        "PEERS_SOCKET",
                        home.resolve("peers.sock").toString()),
                home);
        return new McpSettings(
                clientType,
                "alice",
                paths,
                null,
                ClaudeSessionInbox.fromEnvironment(FakeSessionInbox.environment(inbox))
                        .orElseThrow());
    }

    private PeersClient peer(String name) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(home.resolve("peers.sock")),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
        client.register(RegisterRequest.of(home.toString(), ClientType.GENERIC).withName(name));
        return client;
    }

    private static Delivery deliveryOf(PeersClient viewer, String name) {
        return viewer.listPeers(Scope.MACHINE).stream()
                .filter(p -> name.equals(p.name()))
                .map(PeerInfo::delivery)
                .findFirst()
                .orElse(null);
    }

    @Test
    void aBurstOfMessagesWakesTheSessionOnceAndAgainAfterItReadThem() throws Exception {
        try (FakeSessionInbox inbox = FakeSessionInbox.start(home.resolve("cc.sock"));
                PeersClient bob = peer("bob");
                InProcessMcp alice = InProcessMcp.start(settings("claude-code", inbox.path()), TIMING)) {
            JsonNode init = alice.initialize();
            String instructions = init.path("instructions").asText();
            assertTrue(instructions.contains("call check_messages (newest #12)\": it comes from peers"), instructions);
            String who = alice.ok("whoami", Map.of());
            assertTrue(who.contains("not confirmed here yet") && who.contains("none written yet"), who);
            assertFalse(who.contains("messages are pushed to you"), "no push is assumed to work: " + who);
            Await.until(
                    SOON,
                    () -> new Delivery(DeliveryPath.INBOX_WAKE, false).equals(deliveryOf(bob, "alice")),
                    "the broker shows the wake, not yet seen working (not the subscription the server holds)");

            for (int i = 1; i <= 3; i++) {
                bob.send("alice", "secret body " + i);
            }
            assertEquals(
                    List.of(
                            "{\"type\":\"auth\",\"token\":\"cc-test-token-\\\"7f3a\\\"-do-not-log\"}",
                            "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":"
                                    + "\"3 new peer messages from bob: call check_messages (newest #3)\"}}"),
                    inbox.next(SOON),
                    "one nudge for the burst, without the bodies");
            assertNotNull(alice.awaitNotification(ChannelPush.METHOD, SOON), "the channel push still goes out");

            long fourth = bob.send("alice", "secret body 4").message().id();
            bob.send("alice", "secret body 5");
            assertNull(inbox.next(QUIET), "one outstanding nudge until the messages are read");
            Await.until(
                    SOON,
                    () -> bob.message(fourth).state() == MessageState.DELIVERED,
                    "the messages are delivered (pushed) all the same");

            String checked = alice.ok("check_messages", Map.of());
            assertTrue(checked.startsWith("5 new messages:"), checked);
            Await.until(
                    SOON,
                    () -> new Delivery(DeliveryPath.INBOX_WAKE, true).equals(deliveryOf(bob, "alice")),
                    "a read after a written nudge: the wake works");
            assertTrue(alice.ok("whoami", Map.of()).contains("the last one was written at"));

            bob.send("alice", "secret body 6");
            JsonNode again = InProcessMcp.JSON.readTree(inbox.next(SOON).get(1));
            assertEquals(
                    "1 new peer message from bob: call check_messages (newest #6)",
                    again.path("message").path("content").asText(),
                    "re-armed by check_messages");

            String sent = alice.ok("send_message", Map.of("to_id", "bob", "message", "thanks"));
            assertTrue(sent.contains("a note tells you to call check_messages"), sent);
            assertProtocolOnlyAndNoToken(alice);
            assertTrue(stderr().contains("woke the session through its inbox"), "the log is captured: " + stderr());
        }
    }

    @Test
    void anAnswerToAMessageOnlyTheChannelShowedConfirmsThePushAndThenNoNudgeComesAtOnce() throws Exception {
        try (FakeSessionInbox inbox = FakeSessionInbox.start(home.resolve("cc.sock"));
                PeersClient bob = peer("bob");
                InProcessMcp alice = InProcessMcp.start(settings("claude-code", inbox.path()), TIMING)) {
            alice.initialize();
            alice.ok("whoami", Map.of());
            long question = bob.send("alice", "are you there?").message().id();
            JsonNode push = alice.awaitNotification(ChannelPush.METHOD, SOON);
            assertNotNull(push);
            assertNotNull(inbox.next(SOON), "not confirmed yet: nudged");

            // The model answers from the channel tag's message_id, without a tool showing the message.
            alice.ok("send_message", Map.of("to_id", "bob", "message", "yes", "reply_to", question));
            String who = alice.ok("whoami", Map.of());
            assertTrue(who.contains("messages are pushed to you as channel messages (confirmed"), who);
            Await.until(
                    SOON,
                    () -> new Delivery(DeliveryPath.CHANNEL, true).equals(deliveryOf(bob, "alice")),
                    "the confirmed channel reaches the broker");
            assertEquals(MessageState.READ, bob.message(question).state(), "answering it read it");

            alice.ok("check_messages", Map.of());
            String next = "next question: which parser do you use for the config files, and why that one?";
            long nextId = bob.send("alice", next).message().id();
            assertNotNull(alice.awaitNotification(ChannelPush.METHOD, SOON));
            assertNull(inbox.next(QUIET), "a confirmed channel is given its grace before any nudge");

            // The channel showed it in full: check_messages reminds of it in one line, and it is read.
            String checked = alice.ok("check_messages", Map.of());
            assertTrue(checked.contains("#" + nextId + " from bob"), checked);
            assertTrue(checked.contains("(pushed to you as a channel message before): next question"), checked);
            assertFalse(checked.contains("<message id=\"" + nextId + "\""), "no second full copy: " + checked);
            assertEquals(MessageState.READ, bob.message(nextId).state());
        }
    }

    @Test
    void aDeadInboxWakesNothingAndBreaksNothing() throws Exception {
        try (PeersClient bob = peer("bob");
                InProcessMcp alice = InProcessMcp.start(settings("claude-code", home.resolve("gone.sock")), TIMING)) {
            alice.initialize();
            alice.ok("whoami", Map.of());
            long id = bob.send("alice", "secret body").message().id();
            assertNotNull(alice.awaitNotification(ChannelPush.METHOD, SOON));
            Await.until(
                    SOON,
                    () -> {
                        try {
                            return alice.ok("whoami", Map.of()).contains("could not be written");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "whoami says the wake was not written");
            assertEquals(MessageState.DELIVERED, bob.message(id).state(), "pushed, not read: the sender can see it");
            assertTrue(alice.ok("check_messages", Map.of()).contains("secret body"));
            assertEquals(MessageState.READ, bob.message(id).state());
            assertProtocolOnlyAndNoToken(alice);
        }
    }

    @Test
    void onlyAClaudeCodeServerWritesToTheInbox() throws Exception {
        try (FakeSessionInbox inbox = FakeSessionInbox.start(home.resolve("cc.sock"));
                PeersClient bob = peer("bob");
                InProcessMcp alice = InProcessMcp.start(settings("codex", inbox.path()), TIMING)) {
            alice.initialize();
            alice.ok("whoami", Map.of());
            bob.send("alice", "hello");
            assertNull(inbox.next(QUIET));
            assertTrue(alice.ok("check_messages", Map.of()).contains("hello"));
        }
    }

    private void assertProtocolOnlyAndNoToken(InProcessMcp server) throws Exception {
        for (String line : server.lines()) {
            JsonNode node = InProcessMcp.JSON.readTree(line);
            assertEquals("2.0", node.path("jsonrpc").asText(), line);
            assertFalse(line.contains("7f3a"), "the token is not on stdout: " + line);
        }
        assertFalse(stderr().contains("7f3a"), "the token is never logged: " + stderr());
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    /** Writes to both streams: the log still shows in the build's output. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final ByteArrayOutputStream second;

        Tee(OutputStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            first.write(bytes, offset, length);
            synchronized (second) {
                second.write(bytes, offset, length);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            first.flush();
        }
    }
}
