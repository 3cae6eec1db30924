package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.KillRefusedException;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.local.BrokerEndpoint;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.transport.tcp.tls.TeamAuthority;
import io.agentpeers.transport.tcp.tls.TlsSetupException;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker as the app starts it ({@link BrokerConfig}: SQLite, the Unix socket, {@code PEERS_TLS}) with a
 * client that reaches it the way an agent on another machine would: {@code PEERS_TCP_URL=tls://…} and the
 * bundle {@code peers tls issue} wrote, through the same {@link BrokerEndpoint} every face uses.
 */
@Timeout(60)
class TlsEndToEndTest {
    private static final ClientOptions OPTIONS = ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(10));

    @TempDir
    Path dir;

    @Test
    void aTlsClientRegistersAndMessagesAUnixSocketPeerBothWays() {
        Path home = dir.resolve("p");
        TeamAuthority authority = TeamAuthority.create(TeamAuthority.folder(home), "team", false);
        Path bundle = dir.resolve("bundle");
        List<Path> files = authority.writeBundle(
                authority.issueClient("laptop-ana", Duration.ofDays(1)), "laptop-ana", bundle, false);
        PeersPaths paths = PeersPaths.under(home).withTls("127.0.0.1:0");

        try (PeersBroker broker = BrokerConfig.from(paths, Map.of()).start();
                PeersClient local = PeersClient.connect(new UnixSocketConnector(paths.socket()), OPTIONS)) {
            String address = broker.listeners().stream()
                    .filter(l -> l.startsWith("tls:"))
                    .findFirst()
                    .orElseThrow()
                    .substring("tls:".length());
            PeersPaths remotePaths = PeersPaths.from(
                    Map.of(
                            "PEERS_HOME", dir.resolve("remote-home").toString(),
                            "PEERS_TCP_URL", "tls://" + address,
                            "PEERS_TOKEN", new io.agentpeers.transport.tcp.TokenFile(paths.tokenFile()).read(),
                            "PEERS_TLS_CERT", files.get(0).toString(),
                            "PEERS_TLS_KEY", files.get(1).toString(),
                            "PEERS_TLS_CA", files.get(2).toString()),
                    dir);
            local.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("local"));
            try (PeersClient remote = PeersClient.connect(
                    BrokerEndpoint.connector(remotePaths), OPTIONS.withToken(BrokerEndpoint.token(remotePaths)))) {
                remote.register(
                        RegisterRequest.of("/home/ana/app", ClientType.GENERIC).withName("ana"));

                assertTrue(local.self().verified(), "the Unix socket peer is verified by its uid");
                PeerInfo ana = local.getPeer("ana");
                assertFalse(ana.verified(), "a TLS peer is never uid-verified");
                assertEquals("laptop-ana", ana.certificate());
                assertEquals(
                        "laptop-ana",
                        local.listPeers(Scope.MACHINE).stream()
                                .filter(p -> "ana".equals(p.name()))
                                .findFirst()
                                .orElseThrow()
                                .certificate());

                remote.send("local", "hello from another machine");
                List<Envelope> got = local.waitForMessages(Duration.ofSeconds(10), 10);
                assertEquals(1, got.size(), got::toString);
                assertEquals("hello from another machine", got.get(0).message().text());
                assertEquals("laptop-ana", got.get(0).sender().certificate(), "the sender is known by its certificate");
                assertFalse(got.get(0).sender().verified());
                local.ack(List.of(got.get(0).message().id()));

                local.send("ana", "welcome", got.get(0).message().id());
                List<Envelope> back = remote.waitForMessages(Duration.ofSeconds(10), 10);
                assertEquals(1, back.size(), back::toString);
                assertEquals("welcome", back.get(0).message().text());
                remote.ack(List.of(back.get(0).message().id()));

                KillRefusedException refused = assertThrows(KillRefusedException.class, () -> local.kill("ana"));
                assertTrue(refused.getMessage().contains("TLS"), refused.getMessage());
            }
        }
    }

    @Test
    void plainTcpOnANonLoopbackAddressIsRefusedAtStart() {
        PeersPaths paths = PeersPaths.under(dir.resolve("p")).withTcp("0.0.0.0:0");

        TransportException refused = assertThrows(
                TransportException.class,
                () -> BrokerConfig.from(paths, Map.of()).start());

        assertTrue(refused.getMessage().contains("not a loopback address"), refused.getMessage());
    }

    @Test
    void tlsWithoutAnAuthoritySaysToRunTlsInit() {
        PeersPaths paths = PeersPaths.under(dir.resolve("p")).withTls("127.0.0.1:0");

        TlsSetupException refused = assertThrows(
                TlsSetupException.class,
                () -> BrokerConfig.from(paths, Map.of()).start());

        assertTrue(refused.getMessage().contains("peers tls init"), refused.getMessage());
    }
}
