package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.unix.UnixSocketListener;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ClientCapabilities;
import io.modelcontextprotocol.spec.McpSchema.InitializeResult;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server in a child JVM, driven by the MCP SDK's own client: initialize, list tools, call every tool. */
class McpToolsTest {
    @TempDir
    Path home;

    @Test
    void aClaudeCodeServerServesEveryToolAndPushesMessagesAsChannelNotifications() throws Exception {
        Set<Long> before = children();
        TcpListener tcp = new TcpListener(TcpAddress.parse("127.0.0.1:0"));
        try (PeersBroker broker = PeersBroker.builder().listen(new UnixSocketListener(home.resolve("peers.sock")))
                        .listen(tcp).token("mcp-test-token").store(new InMemoryPeerStore()).start();
                PeersClient bob = McpFixtures.peer(home, "bob")) {
            ServerParameters parameters = ServerParameters.builder(McpFixtures.java())
                    .args(McpFixtures.mcpArgs("claude-code", "alice")).env(McpFixtures.env(home)).build();
            CapturingTransport transport = new CapturingTransport(
                    new StdioClientTransport(parameters, new JacksonMcpJsonMapper(new ObjectMapper())));
            McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(70))
                    .initializationTimeout(Duration.ofSeconds(60))
                    .capabilities(ClientCapabilities.builder().experimental(Map.of("claude/channel", Map.of())).build())
                    .build();
            try {
                InitializeResult init = client.initialize();
                assertEquals("peers", init.serverInfo().name());
                assertTrue(init.capabilities().experimental().containsKey("claude/channel"));
                assertTrue(init.instructions().contains("set_summary"));
                assertTrue(init.instructions().contains("<channel"), "Claude Code is told about pushed messages");

                Set<String> tools = client.listTools().tools().stream().map(Tool::name).collect(Collectors.toSet());
                assertEquals(Set.of("list_peers", "send_message", "set_summary", "set_name", "whoami", "check_messages",
                        "wait_for_messages", "broadcast", "kill_peer"), tools);

                String who = text(ok(client, "whoami", Map.of()));
                assertTrue(who.contains("alice"), who);
                String aliceId = bob.getPeer("alice").id();
                assertTrue(who.contains(aliceId), who);

                assertTrue(text(ok(client, "set_summary", Map.of("summary", "testing the MCP server")))
                        .contains("testing the MCP server"));
                assertEquals("testing the MCP server", bob.getPeer("alice").summary());

                String listed = text(ok(client, "list_peers", Map.of("scope", "machine")));
                assertTrue(listed.contains("bob") && listed.contains("1 peer"), listed);

                String sent = text(ok(client, "send_message", Map.of("to_id", "bob", "message", "hello bob")));
                assertTrue(sent.contains("sent to bob"), sent);
                List<Envelope> bobInbox = bob.unread(10);
                assertEquals("hello bob", bobInbox.get(0).message().text());
                assertEquals(aliceId, bobInbox.get(0).sender().id());

                // bob answers: the server pushes it as a channel notification, then acknowledges it.
                long answerId = bob.send("alice", "hello alice", bobInbox.get(0).message().id()).message().id();
                JSONRPCNotification push = transport.await(ChannelPush.METHOD, Duration.ofSeconds(30));
                assertNotNull(push, "the channel notification arrived");
                @SuppressWarnings("unchecked")
                Map<String, Object> params = (Map<String, Object>) push.params();
                assertEquals("hello alice", params.get("content"));
                @SuppressWarnings("unchecked")
                Map<String, Object> meta = (Map<String, Object>) params.get("meta");
                assertEquals(bob.self().id(), meta.get("from_id"));
                assertEquals("bob", meta.get("from_name"));
                assertEquals("generic", meta.get("from_client"));
                assertEquals("true", meta.get("from_verified"));
                assertEquals(Long.toString(answerId), meta.get("message_id"));
                assertEquals(Long.toString(bobInbox.get(0).message().id()), meta.get("reply_to"));
                assertNotNull(meta.get("sent_at"));
                assertNotNull(meta.get("from_cwd"));
                meta.keySet().forEach(key -> assertTrue(key.matches("[A-Za-z0-9_]+"), key));
                awaitState(bob, answerId, MessageState.DELIVERED);

                // Pushed is not read: every tool result says so until check_messages shows it.
                String whoAgain = text(ok(client, "whoami", Map.of()));
                assertTrue(whoAgain.endsWith("1 unread message from bob: call check_messages."), whoAgain);
                String checked = text(ok(client, "check_messages", Map.of()));
                assertTrue(checked.contains("hello alice") && checked.contains("#" + answerId), checked);
                assertTrue(checked.contains("Recent history") && checked.contains("hello bob"), checked);
                assertEquals(MessageState.READ, bob.message(answerId).state());
                assertFalse(text(ok(client, "whoami", Map.of())).contains("unread"));

                String waited = text(ok(client, "wait_for_messages", Map.of("timeout_seconds", 1)));
                assertTrue(waited.startsWith("No message arrived within 1 s"), waited);

                String broadcast = text(ok(client, "broadcast", Map.of("scope", "machine", "message", "all hands")));
                assertTrue(broadcast.contains("Sent to 1 peer"), broadcast);
                assertEquals("all hands", bob.unread(10).get(1).message().text());

                // A sender over TCP has no credentials: the push and check_messages say it is unverified.
                try (PeersClient remote = PeersClient.connect(new TcpConnector(TcpAddress.parse(tcp.address())),
                        ClientOptions.defaults().withToken("mcp-test-token").withReconnect(false))) {
                    remote.register(RegisterRequest.of("/elsewhere", ClientType.GENERIC).withName("remote"));
                    remote.send("alice", "trust me");
                    JSONRPCNotification remotePush = transport.await(ChannelPush.METHOD, Duration.ofSeconds(30));
                    assertNotNull(remotePush);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> remoteMeta = (Map<String, Object>) ((Map<String, Object>) remotePush.params())
                            .get("meta");
                    assertEquals("false", remoteMeta.get("from_verified"));
                    assertEquals("remote", remoteMeta.get("from_name"));
                    String shown = text(ok(client, "check_messages", Map.of()));
                    assertTrue(shown.contains("trust me") && shown.contains("UNVERIFIED"), shown);
                }

                assertTrue(text(ok(client, "set_name", Map.of("name", "alice-2"))).contains("alice-2"));
                assertEquals(aliceId, bob.getPeer("alice-2").id());

                // Refusals are isError results with a sentence to act on.
                CallToolResult unknown = client.callTool(new CallToolRequest("send_message",
                        Map.of("to_id", "bobb", "message", "hi")));
                assertTrue(unknown.isError());
                assertTrue(text(unknown).contains("bob"), text(unknown));
                CallToolResult missing = client.callTool(new CallToolRequest("send_message", Map.of("message", "hi")));
                assertTrue(missing.isError());
                assertTrue(text(missing).contains("to_id"), text(missing));
                CallToolResult selfKill = client.callTool(new CallToolRequest("kill_peer", Map.of("peer_id", "alice-2")));
                assertTrue(selfKill.isError(), text(selfKill));
                CallToolResult unknownKill = client.callTool(new CallToolRequest("kill_peer", Map.of("peer_id", "nobody")));
                assertTrue(unknownKill.isError(), text(unknownKill));
                PeerInfo stillThere = bob.listPeers(Scope.MACHINE).get(0);
                assertEquals(aliceId, stillThere.id());
            } finally {
                client.closeGracefully();
                endNewChildren(before);
            }
        }
    }

    private static CallToolResult ok(McpSyncClient client, String tool, Map<String, Object> args) {
        CallToolResult result = client.callTool(new CallToolRequest(tool, args));
        assertFalse(Boolean.TRUE.equals(result.isError()), tool + ": " + text(result));
        return result;
    }

    static String text(CallToolResult result) {
        return result.content().stream().map(c -> ((TextContent) c).text()).collect(Collectors.joining());
    }

    static void awaitState(PeersClient client, long id, MessageState state) throws InterruptedException {
        for (int i = 0; i < 200 && client.message(id).state() != state; i++) {
            Thread.sleep(50);
        }
        assertEquals(state, client.message(id).state());
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** The SDK transport owns its process: end whatever child appeared during the test, by pid. */
    private static void endNewChildren(Set<Long> before) {
        ProcessHandle.current().children().filter(h -> !before.contains(h.pid())).forEach(h -> {
            h.destroy();
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }
}
