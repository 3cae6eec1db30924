package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.unix.UnixSocketListener;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.InitializeResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MCP SDK's own client against the server in this JVM: the handshake, the tool list and a call parse on its side. */
class McpSdkClientTest {
    @TempDir
    Path home;

    @Test
    void theSdkClientInitializesListsToolsAndCallsOne() throws Exception {
        try (PeersBroker broker = PeersBroker.builder()
                .listen(new UnixSocketListener(home.resolve("peers.sock")))
                .store(new InMemoryPeerStore())
                .processes(ThisJvm.processTable())
                .sweepInterval(Duration.ofMinutes(10))
                .start()) {
            Pipe stdin = Pipe.open();
            Pipe stdout = Pipe.open();
            OutputStream serverOut = Channels.newOutputStream(stdout.sink());
            PeersPaths paths = PeersPaths.from(Map.of("PEERS_HOME", home.toString()), home);
            CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> {
                try (serverOut) {
                    return PeersMcp.run(
                            new McpSettings("generic", "sdk", paths, null),
                            Channels.newInputStream(stdin.source()),
                            serverOut);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(new ObjectMapper());
            McpSyncClient client = McpClient.sync(new PipeClientTransport(
                            mapper, Channels.newInputStream(stdout.source()), Channels.newOutputStream(stdin.sink())))
                    .requestTimeout(Duration.ofSeconds(30))
                    .initializationTimeout(Duration.ofSeconds(30))
                    .build();
            try {
                InitializeResult init = client.initialize();
                assertEquals("peers", init.serverInfo().name());
                assertEquals(PeersMcp.VERSION, init.serverInfo().version());
                assertTrue(init.capabilities().tools() != null, "the server offers tools");
                assertTrue(
                        init.capabilities().experimental() == null
                                || !init.capabilities().experimental().containsKey("claude/channel"),
                        "no channel for generic");

                Set<String> tools =
                        client.listTools().tools().stream().map(Tool::name).collect(Collectors.toSet());
                assertEquals(12, tools.size(), tools::toString);
                client.listTools()
                        .tools()
                        .forEach(tool ->
                                assertEquals("object", tool.inputSchema().get("type"), tool.name()));

                CallToolResult who = client.callTool(new CallToolRequest("whoami", Map.of()));
                assertFalse(Boolean.TRUE.equals(who.isError()), who::toString);
                String text = who.content().stream()
                        .map(c -> ((TextContent) c).text())
                        .collect(Collectors.joining());
                assertTrue(text.contains("sdk"), text);
            } finally {
                client.closeGracefully();
            }
            assertEquals(0, server.get(30, TimeUnit.SECONDS), "the server stops when the client closes its stdin");
        }
    }
}
