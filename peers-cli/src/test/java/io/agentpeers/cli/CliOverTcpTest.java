package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpListener;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a broker on loopback TCP whose home is not the CLI's: what a token refusal says. */
class CliOverTcpTest {
    private static final String TOKEN = "the-brokers-token";

    @TempDir
    Path home;

    private Path brokerToken;
    private PeersBroker broker;
    private InProcessCli cli;

    @BeforeEach
    void startBroker() throws Exception {
        brokerToken = Files.createDirectories(home.resolve("broker-home")).resolve("token");
        TcpListener tcp = new TcpListener(TcpAddress.parse("127.0.0.1:0"));
        broker = PeersBroker.builder()
                .listen(tcp)
                .store(new InMemoryPeerStore())
                .token(TOKEN, brokerToken)
                .start();
        cli = new InProcessCli(home, home.resolve("cli-home"))
                .env("PEERS_TCP_URL", tcp.boundAddress().toString());
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void aWrongTokenIsReportedAsWrongWithTheBrokersTokenFile() {
        InProcessCli.Result wrong = cli.run("status", "--token", "not-the-token");
        assertEquals(1, wrong.exit(), wrong::toString);
        assertTrue(wrong.err().contains("the token is not this broker's"), "wrong, not missing: " + wrong);
        assertTrue(wrong.err().contains(brokerToken.toString()), "the broker's token file: " + wrong);
        assertTrue(wrong.err().contains("--token or PEERS_TOKEN"), wrong::toString);
        assertEquals(1, wrong.err().strip().lines().count(), wrong::toString);
    }

    @Test
    void aMissingTokenNamesTheBrokersTokenFileNotTheClients() {
        InProcessCli.Result missing = cli.run("status");
        assertEquals(1, missing.exit(), missing::toString);
        assertTrue(missing.err().contains("must carry the broker's token"), missing::toString);
        assertTrue(missing.err().contains(brokerToken.toString()), "the broker's token file: " + missing);
        assertFalse(missing.err().contains("cli-home"), "not the CLI's own PEERS_HOME: " + missing);
    }

    @Test
    void theRightTokenIsServed() {
        InProcessCli.Result right = cli.run("--token", TOKEN, "status", "--json");
        assertEquals(0, right.exit(), right::toString);
        assertTrue(right.json().path("listeners").toString().contains("tcp"), right::toString);
    }
}
