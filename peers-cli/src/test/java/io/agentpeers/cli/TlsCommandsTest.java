package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.tcp.TlsConnector;
import io.agentpeers.transport.tcp.tls.TeamAuthority;
import io.agentpeers.transport.tcp.tls.TlsContexts;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peers tls init} and {@code issue}: the files, their modes, no silent overwrite, and a bundle that works. */
class TlsCommandsTest {
    private static final String TOKEN = "tls-cli-token";

    @TempDir
    Path home;

    private Path peersHome() {
        return home.resolve("p");
    }

    private InProcessCli cli() {
        return new InProcessCli(home, peersHome());
    }

    @Test
    void initMakesAPrivateAuthorityAndRefusesToReplaceItWithoutForce() throws Exception {
        InProcessCli.Result init = cli().run("tls", "init", "--team", "acme");
        assertEquals(0, init.exit(), init::toString);

        Path tls = peersHome().resolve("tls");
        assertEquals("rwx------", mode(tls));
        assertEquals("rw-------", mode(tls.resolve("ca.key")));
        assertEquals("rw-r--r--", mode(tls.resolve("ca.crt")));
        String key = Files.readString(tls.resolve("ca.key"));

        InProcessCli.Result again = cli().run("tls", "init");
        assertEquals(1, again.exit(), again::toString);
        assertTrue(again.err().contains("already") && again.err().contains("--force"), again::toString);
        assertEquals(key, Files.readString(tls.resolve("ca.key")), "the authority is left as it was");

        InProcessCli.Result forced = cli().run("tls", "init", "--force");
        assertEquals(0, forced.exit(), forced::toString);
        assertNotEquals(key, Files.readString(tls.resolve("ca.key")));
        assertEquals("rw-------", mode(tls.resolve("ca.key")));
    }

    @Test
    void issueWritesABundleOfPrivateFilesAndRefusesToReplaceIt() throws Exception {
        assertEquals(0, cli().run("tls", "init").exit());

        InProcessCli.Result issued = cli().run("tls", "issue", "laptop-ana", "--json");
        assertEquals(0, issued.exit(), issued::toString);

        Path bundle = peersHome().resolve("tls/clients/laptop-ana");
        assertEquals("rwx------", mode(bundle));
        assertEquals("rw-------", mode(bundle.resolve("laptop-ana.key")));
        assertEquals("rw-r--r--", mode(bundle.resolve("laptop-ana.crt")));
        assertEquals(Files.readString(peersHome().resolve("tls/ca.crt")), Files.readString(bundle.resolve("ca.crt")));
        assertEquals(3, issued.json().path("files").size(), issued::toString);

        InProcessCli.Result again = cli().run("tls", "issue", "laptop-ana");
        assertEquals(1, again.exit(), again::toString);
        assertTrue(again.err().contains("--force"), again::toString);
    }

    @Test
    void badNamesAndAMissingAuthorityAreClearErrors() {
        InProcessCli.Result noCa = cli().run("tls", "issue", "laptop");
        assertEquals(1, noCa.exit(), noCa::toString);
        assertTrue(noCa.err().contains("peers tls init"), noCa::toString);

        assertEquals(0, cli().run("tls", "init").exit());
        for (String bad : new String[] {"../escape", "two words", "a/b", "\u001b[31mred", ""}) {
            InProcessCli.Result refused = cli().run("tls", "issue", bad);
            assertNotEquals(0, refused.exit(), refused::toString);
            assertTrue(refused.err().contains("letters, digits"), refused::toString);
            assertTrue(!refused.err().contains("\u001b"), "no raw escape reaches the terminal: " + refused);
        }
        assertTrue(Files.notExists(peersHome().resolve("escape"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theIssuedBundleReachesATlsBrokerAndPeersListShowsTheCertificate() {
        assertEquals(0, cli().run("tls", "init").exit());
        assertEquals(0, cli().run("tls", "issue", "laptop-ana").exit());
        TeamAuthority authority = TeamAuthority.load(peersHome().resolve("tls"));
        TeamAuthority.Issued server = authority.issueServer("127.0.0.1");
        TcpListener listener = TcpListener.tls(
                TcpAddress.loopback(0), TlsContexts.of(server.certificate(), server.key(), authority.certificate()));
        Path bundle = peersHome().resolve("tls/clients/laptop-ana");
        try (InMemoryPeerStore store = new InMemoryPeerStore();
                PeersBroker broker = PeersBroker.builder()
                        .listen(listener)
                        .store(store)
                        .token(TOKEN)
                        .start()) {
            InProcessCli remote = new InProcessCli(home, home.resolve("remote-home"))
                    .env("PEERS_TCP_URL", "tls://" + listener.boundAddress())
                    .env("PEERS_TOKEN", TOKEN)
                    .env("PEERS_TLS_CERT", bundle.resolve("laptop-ana.crt").toString())
                    .env("PEERS_TLS_KEY", bundle.resolve("laptop-ana.key").toString())
                    .env("PEERS_TLS_CA", bundle.resolve("ca.crt").toString());
            InProcessCli.Result status = remote.run("status", "--json");
            assertEquals(0, status.exit(), status::toString);

            try (PeersClient bob = PeersClient.connect(
                    new TlsConnector(
                            listener.boundAddress(),
                            TlsContexts.fromFiles(
                                    bundle.resolve("laptop-ana.crt"),
                                    bundle.resolve("laptop-ana.key"),
                                    bundle.resolve("ca.crt"))),
                    ClientOptions.defaults().withToken(TOKEN))) {
                bob.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("bob"));
                InProcessCli.Result listed = remote.run("list");
                assertEquals(0, listed.exit(), listed::toString);
                String row = listed.out()
                        .lines()
                        .filter(line -> line.contains("bob"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(listed.toString()));
                assertTrue(row.contains("cert:laptop-ana"), "known by its certificate, not a pid: " + row);
                assertTrue(!row.contains("unverified"), row);
            }

            InProcessCli.Result missing = new InProcessCli(home, home.resolve("remote-home"))
                    .env("PEERS_TCP_URL", "tls://" + listener.boundAddress())
                    .env("PEERS_TOKEN", TOKEN)
                    .run("status");
            assertNotEquals(0, missing.exit(), missing::toString);
            assertTrue(missing.err().contains("PEERS_TLS_CERT"), missing::toString);
        }
    }

    @Test
    void doctorChecksTheAuthorityAndAClientsThreeFiles() throws Exception {
        assertEquals(0, cli().run("tls", "init").exit());
        assertEquals(0, cli().run("tls", "issue", "laptop-ana").exit());
        Path bundle = peersHome().resolve("tls/clients/laptop-ana");
        InProcessCli remote = new InProcessCli(home, home.resolve("remote-home"))
                .env("PEERS_TCP_URL", "tls://127.0.0.1:1")
                .env("PEERS_TLS_CERT", bundle.resolve("laptop-ana.crt").toString())
                .env("PEERS_TLS_KEY", bundle.resolve("laptop-ana.key").toString())
                .env("PEERS_TLS_CA", bundle.resolve("ca.crt").toString());

        assertEquals("ok", verdict(cli().run("doctor", "--json"), "tls ca"));
        assertEquals("ok", verdict(remote.run("doctor", "--json"), "tls client"));

        Files.setPosixFilePermissions(bundle.resolve("laptop-ana.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("fail", verdict(remote.run("doctor", "--json"), "tls client"));
        Files.setPosixFilePermissions(bundle.resolve("laptop-ana.key"), PosixFilePermissions.fromString("rw-------"));

        Path other = home.resolve("other");
        TeamAuthority stranger = TeamAuthority.create(other.resolve("tls"), "other", false);
        remote.env("PEERS_TLS_CA", other.resolve("tls/ca.crt").toString());
        assertEquals("fail", verdict(remote.run("doctor", "--json"), "tls client"), "signed by another authority");
        assertTrue(stranger.certificate() != null);
    }

    private static String verdict(InProcessCli.Result doctor, String check) {
        for (com.fasterxml.jackson.databind.JsonNode node : doctor.json().path("checks")) {
            if (node.path("name").asText().equals(check)) {
                return node.path("verdict").asText();
            }
        }
        throw new AssertionError("no check " + check + " in " + doctor);
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
