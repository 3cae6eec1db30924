package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.app.BrokerProcesses;
import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The server as a child process over raw stdio: two servers talking, long polls, broker start and restart. */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
class McpProcessTest {
    private static final Duration PUSH = Duration.ofSeconds(30);

    @TempDir
    Path home;

    @TempDir
    Path logs;

    @Test
    void twoServersTalkThroughOneBrokerAndStdoutCarriesOnlyJsonRpc() throws Exception {
        try (PeersBroker broker = McpFixtures.broker(home, new InMemoryPeerStore());
                RawMcp alice = RawMcp.start(
                        McpFixtures.mcpCommand("claude-code", "alice"),
                        McpFixtures.env(home),
                        home,
                        logs.resolve("alice.err"));
                RawMcp bob = RawMcp.start(
                        underShell(McpFixtures.mcpCommand("codex", "bob")),
                        McpFixtures.env(home),
                        home,
                        logs.resolve("bob.err"))) {
            assertTrue(
                    alice.initialize().path("capabilities").path("experimental").has("claude/channel"));
            assertFalse(
                    bob.initialize().path("capabilities").path("experimental").has("claude/channel"),
                    "only Claude Code gets the channel");
            bob.rememberDescendants();
            assertTrue(bob.text("whoami", Map.of()).contains("bob"));

            // A codex server blocked in wait_for_messages returns with the message sent meanwhile.
            CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return bob.text("wait_for_messages", Map.of("timeout_seconds", 45));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // let the long poll start first; the assertion does not depend on it
            String sent = alice.text("send_message", Map.of("to_id", "bob", "message", "ping from alice"));
            assertTrue(sent.contains("sent to bob"), sent);
            String got = waiting.get(50, TimeUnit.SECONDS);
            assertTrue(got.contains("ping from alice") && got.contains("alice"), got);
            long pingId = Long.parseLong(got.replaceAll("(?s).*#(\\d+) from alice.*", "$1"));

            String answered = bob.text("send_message", Map.of("to_id", "alice", "message", "pong", "reply_to", pingId));
            assertTrue(
                    answered.contains("wait_for_messages"), "a codex sender is told how to get answers: " + answered);
            JsonNode push = alice.awaitNotification(ChannelPush.METHOD, PUSH);
            assertNotNull(push, "alice got the answer pushed");
            assertEquals(
                    "pong",
                    McpFixtures.envelopeText(push.path("params").path("content").asText()));
            JsonNode meta = push.path("params").path("meta");
            assertEquals("bob", meta.path("from_name").asText());
            assertEquals("codex", meta.path("from_client").asText());
            assertEquals(Long.toString(pingId), meta.path("reply_to").asText());
            meta.fieldNames().forEachRemaining(key -> assertTrue(key.matches("[A-Za-z0-9_]+"), key));

            // kill_peer ends bob's agent (the shell); bob's server notices its parent is gone and exits.
            List<ProcessHandle> bobJvm = bob.process().toHandle().descendants().toList();
            assertFalse(bobJvm.isEmpty());
            String killed = alice.text("kill_peer", Map.of("peer_id", "bob"));
            assertTrue(killed.startsWith("Sent SIGTERM"), killed);
            for (ProcessHandle jvm : bobJvm) {
                jvm.onExit().get(30, TimeUnit.SECONDS);
            }

            for (RawMcp server : List.of(alice, bob)) {
                List<String> lines = server.lines();
                assertFalse(lines.isEmpty());
                for (String line : lines) {
                    JsonNode node = RawMcp.JSON.readTree(line);
                    assertEquals("2.0", node.path("jsonrpc").asText(), line);
                    assertTrue(node.has("method") || node.has("result") || node.has("error"), line);
                }
            }
        }
    }

    @Test
    void aServerReachesItsBrokerOverTcpWithTheToken() throws Exception {
        Path elsewhere = Files.createDirectories(logs.resolve("no-broker-here"));
        TcpListener tcp = new TcpListener(TcpAddress.parse("127.0.0.1:0"));
        try (PeersBroker broker = PeersBroker.builder()
                        .listen(new UnixSocketListener(home.resolve("peers.sock")))
                        .listen(tcp)
                        .token("mcp-test-token")
                        .store(new InMemoryPeerStore())
                        .sweepInterval(Duration.ofMinutes(10))
                        .start();
                RawMcp alice = RawMcp.start(
                        McpFixtures.mcpCommand("claude-code", "alice"),
                        Map.of(
                                "PEERS_HOME",
                                elsewhere.toString(),
                                "PEERS_TCP_URL",
                                tcp.address(),
                                "PEERS_TOKEN",
                                "mcp-test-token"),
                        home,
                        logs.resolve("tcp-alice.err"));
                PeersClient bob = McpFixtures.peer(home, "bob")) {
            alice.initialize();
            assertTrue(alice.text("whoami", Map.of()).contains("alice"));
            assertTrue(alice.text("list_peers", Map.of("scope", "machine")).contains("bob"));

            bob.send("alice", "over tcp");
            JsonNode push = alice.awaitNotification(ChannelPush.METHOD, PUSH);
            assertNotNull(push, "a server on TCP gets pushes too");
            assertEquals(
                    "over tcp",
                    McpFixtures.envelopeText(push.path("params").path("content").asText()));

            assertTrue(alice.text("send_message", Map.of("to_id", "bob", "message", "back"))
                    .contains("sent to bob"));
            Envelope back = bob.waitForMessages(PUSH, 1).get(0);
            assertEquals("back", back.message().text());
            assertFalse(back.sender().verified(), "over TCP the broker cannot vouch for the sender's process");
            assertFalse(Files.exists(elsewhere.resolve("peers.sock")), "no broker was started beside the TCP one");
        }
    }

    @Test
    void serversStartingTogetherWithoutABrokerStartExactlyOne() throws Exception {
        int count = 5;
        List<RawMcp> servers = new ArrayList<>();
        long brokerPid = -1;
        try {
            for (int i = 0; i < count; i++) {
                servers.add(RawMcp.start(
                        McpFixtures.mcpCommand("generic", "s" + i),
                        McpFixtures.env(home),
                        home,
                        logs.resolve("server-" + i + ".err")));
            }
            for (RawMcp server : servers) {
                assertEquals(
                        "peers",
                        server.initialize().path("serverInfo").path("name").asText());
            }
            for (RawMcp server : servers) {
                String who = server.text("whoami", Map.of());
                assertTrue(who.startsWith("You are "), who + "\n" + server.stderr());
            }
            List<ProcessHandle> brokers = servers.stream()
                    .flatMap(s -> s.process().toHandle().descendants())
                    .filter(h -> BrokerProcesses.isBroker(h.pid()))
                    .toList();
            assertEquals(1, brokers.size(), "one broker for servers that started together");
            try (PeersClient observer = PeersClient.connect(
                    new UnixSocketConnector(home.resolve("peers.sock")),
                    ClientOptions.defaults().withReconnect(false))) {
                brokerPid = observer.stats().pid();
                assertEquals(brokers.get(0).pid(), brokerPid);
                assertEquals(count, observer.stats().peers().live());
                observer.shutdownBroker();
            }
            assertTrue(Files.exists(home.resolve("broker.log")), "the started broker logs to PEERS_HOME");
        } finally {
            servers.forEach(RawMcp::close);
            if (brokerPid > 0) {
                ProcessHandle.of(brokerPid).ifPresent(handle -> {
                    try {
                        handle.onExit().get(20, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        handle.destroyForcibly();
                    }
                });
            }
        }
    }

    @Test
    void keepsItsPeerAcrossABrokerRestartAndAServerRestart() throws Exception {
        InMemoryPeerStore store = new InMemoryPeerStore();
        PeersBroker first = McpFixtures.broker(home, store);
        PeersBroker second = null;
        try (RawMcp alice = RawMcp.start(
                McpFixtures.mcpCommand("claude-code", "alice"),
                McpFixtures.env(home),
                home,
                logs.resolve("alice.err"))) {
            alice.initialize();
            String id;
            try (PeersClient probe = McpFixtures.peer(home, "probe")) {
                alice.text("whoami", Map.of());
                id = probe.getPeer("alice").id();
            }
            first.close();
            second = McpFixtures.broker(home, store);
            try (PeersClient carol = McpFixtures.peer(home, "carol")) {
                long sent = carol.send(id, "sent while the broker restarted")
                        .message()
                        .id();
                JsonNode push = alice.awaitNotification(ChannelPush.METHOD, PUSH);
                assertNotNull(push, "the message reached alice after the restart\n" + alice.stderr());
                assertEquals(
                        Long.toString(sent),
                        push.path("params").path("meta").path("message_id").asText());
                assertTrue(alice.text("whoami", Map.of()).contains(id), "same peer id after the broker restart");

                // A new server under the same agent (this JVM), same cwd and type, takes the peer back.
                alice.closeStdin();
                assertTrue(alice.process().waitFor(20, TimeUnit.SECONDS), "the server exits when stdin closes");
                assertEquals(0, alice.process().exitValue());
                try (RawMcp again = RawMcp.start(
                        McpFixtures.mcpCommand("claude-code", "alice"),
                        McpFixtures.env(home),
                        home,
                        logs.resolve("again.err"))) {
                    again.initialize();
                    String who = again.text("whoami", Map.of());
                    assertTrue(who.contains(id), who);
                }
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aRestartedClaudeCodeSessionTakesItsPeerBackByItsSessionId() throws Exception {
        Map<String, String> session = new java.util.HashMap<>(McpFixtures.env(home));
        session.put("CLAUDE_CODE_SESSION_ID", "48767bb0-ac19-432d-8288-fcf965c74c02");
        try (PeersBroker broker = McpFixtures.broker(home, new InMemoryPeerStore());
                PeersClient carol = McpFixtures.peer(home, "carol")) {
            String id;
            try (RawMcp first = RawMcp.start(
                    underShell(McpFixtures.mcpCommand("claude-code", null)),
                    session,
                    home,
                    logs.resolve("first.err"))) {
                first.initialize();
                first.text("set_summary", Map.of("summary", "fixing the parser"));
                id = carol.listPeers(io.agentpeers.core.Scope.MACHINE).stream()
                        .filter(p -> "fixing the parser".equals(p.summary()))
                        .findFirst()
                        .orElseThrow()
                        .id();
                first.closeStdin();
                assertTrue(first.process().waitFor(20, TimeUnit.SECONDS), "the server exits when stdin closes");
            }
            carol.send(id, "sent while the session was closed");

            // `claude --continue`: another Claude Code process (here another sh), the same session id.
            try (RawMcp continued = RawMcp.start(
                    underShell(McpFixtures.mcpCommand("claude-code", null)),
                    session,
                    home,
                    logs.resolve("continued.err"))) {
                continued.initialize();
                String who = continued.text("whoami", Map.of());
                assertTrue(who.contains(id) && who.contains("fixing the parser"), who);
                assertTrue(
                        who.contains("taken back by your session: 1 message waited for you; call check_messages"), who);
            }
        }
    }

    /** The server under {@code sh}, which is then its agent process (what kill_peer ends). */
    private static List<String> underShell(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "\"$@\"; exit $?", "sh"));
        wrapped.addAll(command);
        return wrapped;
    }
}
