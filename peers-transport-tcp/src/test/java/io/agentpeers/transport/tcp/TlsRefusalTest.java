package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.broker.server.ConnectionServerOptions;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.BadTokenException;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.tcp.tls.TeamAuthority;
import io.agentpeers.transport.tcp.tls.TestTls;
import io.agentpeers.transport.tcp.tls.TlsContexts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TLS listener refuses, each before any request is read, while it goes on serving a good client:
 * no certificate, another CA's, an expired one, TLS 1.2, plain text; and handshakes that never finish.
 */
class TlsRefusalTest {
    private static final String TOKEN = "tls-refusal-token";
    private static final Duration HELLO_TIMEOUT =
            Duration.ofSeconds(3); // above a cold JVM's first handshake on a loaded machine
    private static final String HELLO = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":"
            + PeersClient.PROTOCOL_VERSION + ",\"token\":\"" + TOKEN + "\"}}\n";

    @TempDir
    Path dir;

    private TestTls tls;
    private TcpListener listener;
    private PeersBroker broker;
    private InMemoryPeerStore store;

    @BeforeEach
    void start() {
        tls = new TestTls(dir);
        store = new InMemoryPeerStore();
        listener = TcpListener.tls(TcpAddress.loopback(0), tls.server());
        broker = PeersBroker.builder()
                .listen(listener)
                .token(TOKEN)
                .store(store)
                .serverOptions(ConnectionServerOptions.defaults()
                        .withHelloTimeout(HELLO_TIMEOUT)
                        .withCloseLinger(Duration.ofMillis(300)))
                .start();
    }

    @AfterEach
    void stop() {
        broker.close();
        store.close();
    }

    @Test
    void aClientWithATeamCertificateRegistersAndIsKnownByItsName() {
        try (PeersClient client = goodClient("laptop-ana")) {
            assertEquals("tls", client.brokerInfo().transport());
            assertFalse(client.brokerInfo().verified());
            assertFalse(client.self().verified());
            assertEquals("laptop-ana", client.self().certificate());
            assertEquals("certificate", client.self().verifiedBy());
        }
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        SSLContext none = SSLContext.getInstance(TlsContexts.PROTOCOL);
        none.init(null, trustingTheTeam(), null);

        assertRefused(attempt(none, TlsContexts.PROTOCOL));
        assertServesOthers();
    }

    @Test
    void aCertificateOfAnotherAuthorityIsRefused() throws Exception {
        TestTls other = new TestTls(dir.resolve("other-team"));
        TeamAuthority.Issued stranger = other.authority.issueClient("stranger", Duration.ofDays(1));
        SSLContext context = TlsContexts.of(stranger.certificate(), stranger.key(), tls.authority.certificate());

        assertRefused(attempt(context, TlsContexts.PROTOCOL));
        assertServesOthers();
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        Instant now = Instant.now();
        TeamAuthority.Issued expired = tls.authority.issue(
                "old-laptop", List.of(), false, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        SSLContext context = TlsContexts.of(expired.certificate(), expired.key(), tls.authority.certificate());

        assertRefused(attempt(context, TlsContexts.PROTOCOL));
        assertServesOthers();
    }

    @Test
    void aClientThatSpeaksOnlyTls12IsRefused() throws Exception {
        TeamAuthority.Issued issued = tls.authority.issueClient("old-jdk", Duration.ofDays(1));
        SSLContext context = SSLContext.getInstance("TLSv1.2");
        SSLContext team = TlsContexts.of(issued.certificate(), issued.key(), tls.authority.certificate());
        // The same key and trust, offered over TLS 1.2 only.
        context.init(keyManagers(issued), trustingTheTeam(), null);
        assertTrue(team.getProtocol().equals(TlsContexts.PROTOCOL));

        assertRefused(attempt(context, "TLSv1.2"));
        assertServesOthers();
    }

    @Test
    void aPlaintextClientOnTheTlsPortHearsWhyInALine() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", listener.boundAddress().port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(HELLO.getBytes(StandardCharsets.UTF_8));
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            JsonNode error = new ObjectMapper().readTree(line).path("error");
            assertTrue(error.path("message").asText().contains("speaks TLS"), line);
        }
        assertServesOthers();
    }

    @Test
    void aHandshakeThatNeverFinishesIsClosedByTheHelloTimeout() throws Exception {
        try (Socket silent = new Socket("127.0.0.1", listener.boundAddress().port());
                Socket slow = new Socket("127.0.0.1", listener.boundAddress().port())) {
            silent.setSoTimeout(10_000);
            slow.setSoTimeout(10_000);
            // Half a TLS record header, then nothing more: a slow loris.
            slow.getOutputStream().write(new byte[] {0x16, 0x03});
            slow.getOutputStream().flush();

            assertEquals(-1, drain(silent), "the silent connection is closed");
            assertEquals(-1, drain(slow), "the slow one too");
        }
        assertServesOthers();
    }

    @Test
    void theTokenIsStillASecondFactor() {
        TransportException refused = null;
        try (PeersClient client = PeersClient.connect(
                tls.connector(listener, "laptop-ana"),
                ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(10)))) {
            client.register(RegisterRequest.of("/src", ClientType.GENERIC));
        } catch (BadTokenException e) {
            assertTrue(e.getMessage().contains("token"), e.getMessage());
            return;
        } catch (TransportException e) {
            refused = e;
        }
        throw new AssertionError("a TLS client without the token must be refused by hello", refused);
    }

    @Test
    void aTlsPeerCannotKill() {
        try (PeersClient remote = goodClient("laptop-ana");
                PeersClient other = goodClient("laptop-bob")) {
            io.agentpeers.core.PeersException refused =
                    assertThrows(io.agentpeers.core.PeersException.class, () -> remote.kill("laptop-bob"));
            assertTrue(refused.getMessage().contains("cannot kill"), refused.getMessage());
        }
    }

    // ---- helpers ----

    private PeersClient goodClient(String name) {
        PeersClient client = PeersClient.connect(
                tls.connector(listener, name),
                ClientOptions.defaults().withToken(TOKEN).withRequestTimeout(Duration.ofSeconds(10)));
        client.register(RegisterRequest.of("/src/" + name, ClientType.GENERIC).withName(name));
        return client;
    }

    private void assertServesOthers() {
        try (PeersClient client = goodClient("after")) {
            assertEquals("after", client.self().certificate());
        }
    }

    /** Connects with {@code context}, says hello, and tells what came back: a reply line, or why not. */
    private String attempt(SSLContext context, String protocol) {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
                .createSocket("127.0.0.1", listener.boundAddress().port())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {protocol});
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write(HELLO.getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            return line == null ? "refused: closed" : "answered: " + line;
        } catch (IOException e) {
            return "refused: " + e.getMessage();
        }
    }

    private static void assertRefused(String outcome) {
        assertTrue(outcome.startsWith("refused"), "expected a refusal, got " + outcome);
    }

    private static int drain(Socket socket) throws IOException {
        byte[] buffer = new byte[1024];
        int n;
        do {
            n = socket.getInputStream().read(buffer);
        } while (n > 0);
        return n;
    }

    private javax.net.ssl.TrustManager[] trustingTheTeam() throws Exception {
        java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("team", tls.authority.certificate());
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        factory.init(trusted);
        return factory.getTrustManagers();
    }

    private javax.net.ssl.KeyManager[] keyManagers(TeamAuthority.Issued issued) throws Exception {
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] password = "test".toCharArray();
        keys.setKeyEntry("self", issued.key(), password, new java.security.cert.X509Certificate[] {
            issued.certificate(), tls.authority.certificate()
        });
        javax.net.ssl.KeyManagerFactory factory =
                javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, password);
        return factory.getKeyManagers();
    }
}
