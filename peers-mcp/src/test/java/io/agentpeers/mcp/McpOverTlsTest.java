package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.tcp.tls.TeamAuthority;
import io.agentpeers.transport.tcp.tls.TlsContexts;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An MCP server on a machine without a broker: PEERS_TCP_URL=tls://… and a bundle, talking to a local peer. */
class McpOverTlsTest {
    private static final String TOKEN = "mcp-tls-token";

    @TempDir
    Path home;

    @Test
    void theToolsWorkOverTlsAndSayTheAgentIsKnownByItsCertificate() throws Exception {
        TeamAuthority authority = TeamAuthority.create(home.resolve("tls"), "team", false);
        TeamAuthority.Issued server = authority.issueServer("127.0.0.1");
        List<Path> bundle = authority.writeBundle(
                authority.issueClient("cloud-box", Duration.ofDays(1)), "cloud-box", home.resolve("bundle"), false);
        TcpListener tls = TcpListener.tls(
                TcpAddress.loopback(0), TlsContexts.of(server.certificate(), server.key(), authority.certificate()));
        try (InMemoryPeerStore store = new InMemoryPeerStore();
                PeersBroker broker = PeersBroker.builder()
                        .listen(new UnixSocketListener(home.resolve("peers.sock")))
                        .listen(tls)
                        .token(TOKEN)
                        .store(store)
                        .start();
                PeersClient bob = PeersClient.connect(
                        new UnixSocketConnector(home.resolve("peers.sock")),
                        ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(30)))) {
            bob.register(RegisterRequest.of(home.toString(), ClientType.GENERIC).withName("bob"));
            PeersPaths paths = PeersPaths.from(
                    Map.of(
                            "PEERS_HOME", home.resolve("remote-home").toString(),
                            "PEERS_TCP_URL", "tls://" + tls.boundAddress(),
                            "PEERS_TOKEN", TOKEN,
                            "PEERS_TLS_CERT", bundle.get(0).toString(),
                            "PEERS_TLS_KEY", bundle.get(1).toString(),
                            "PEERS_TLS_CA", bundle.get(2).toString()),
                    home);
            try (InProcessMcp alice = InProcessMcp.start(new McpSettings("codex", "alice", paths, null))) {
                alice.initialize();
                String whoami = alice.ok("whoami", Map.of());
                assertTrue(whoami.contains("over tls") && whoami.contains("cloud-box"), whoami);

                alice.ok("send_message", Map.of("to_id", "bob", "message", "hi from the cloud"));
                List<Envelope> got = bob.waitForMessages(Duration.ofSeconds(20), 10);
                assertEquals("hi from the cloud", got.get(0).message().text());

                String listed = bob.listPeers(Scope.MACHINE).stream()
                        .filter(p -> "alice".equals(p.name()))
                        .findFirst()
                        .orElseThrow()
                        .certificate();
                assertEquals("cloud-box", listed);
            }
        }
    }
}
