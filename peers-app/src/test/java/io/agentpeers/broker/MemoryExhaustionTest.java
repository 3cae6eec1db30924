package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many connections that each send a megabyte without a newline and stall, against a broker process
 * with the heap {@code peers broker start} gives it (48 MiB): it sheds them and goes on serving,
 * instead of running out of memory with some of its threads dead.
 */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
@Timeout(180)
class MemoryExhaustionTest {
    private static final int HOARDERS = 60;
    private static final int MiB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void sixtyGreetedConnectionsHoardingAMegabyteEachAreShedAndTheBrokerServesOn() throws Exception {
        Path home = dir.resolve("home");
        try (ChildBroker broker = ChildBroker.start(home, Map.of())) {
            UnixSocketConnector unix = new UnixSocketConnector(home.resolve("peers.sock"));
            List<RawConnection> hoarders = new ArrayList<>();
            try {
                for (int i = 0; i < HOARDERS; i++) {
                    RawConnection hoarder = new RawConnection(unix);
                    hoarders.add(hoarder);
                    hoarder.hello(null);
                    hoardAMegabyte(hoarder);
                }
                int shed = 0;
                for (RawConnection hoarder : hoarders) {
                    if (hoarder.poll(Duration.ofMillis(200))
                            .filter(line -> line.contains("\"broker_busy\""))
                            .isPresent()) {
                        shed++;
                    }
                }
                assertTrue(broker.process().isAlive(), "the broker is up\n" + broker.stderr());
                // 60 MiB into a budget of about 12 MiB: most are shed, with the error line.
                assertTrue(shed >= HOARDERS / 2, "hoarders shed with broker_busy: " + shed + "\n" + broker.stderr());
                assertServes(unix, ClientOptions.defaults());
            } finally {
                hoarders.forEach(RawConnection::close);
            }
            assertTrue(broker.process().isAlive(), "still up after they left\n" + broker.stderr());
            assertServes(unix, ClientOptions.defaults());
        }
    }

    @Test
    void sixtyTcpConnectionsWithoutATokenHoldAFewKibEach() throws Exception {
        Path home = dir.resolve("home");
        try (ChildBroker broker = ChildBroker.start(home, Map.of("PEERS_TCP", "127.0.0.1:0"))) {
            TransportConnector tcp = new TcpConnector(TcpAddress.parse(tcpAddress(broker)));
            List<RawConnection> strangers = new ArrayList<>();
            try {
                int refused = 0;
                for (int i = 0; i < HOARDERS; i++) {
                    RawConnection stranger = new RawConnection(tcp);
                    strangers.add(stranger);
                    hoardAMegabyte(stranger);
                    JsonNode error = stranger.next();
                    assertEquals(
                            "line_too_long",
                            error.path("error").path("data").path("code").asText(),
                            error.toString());
                    assertTrue(error.path("error").path("message").asText().contains("8192"), error.toString());
                    if (stranger.closedWithin(Duration.ofSeconds(5))) {
                        refused++;
                    }
                }
                assertEquals(HOARDERS, refused, "each closed after its first 8 KiB");
                assertTrue(broker.process().isAlive(), "the broker is up\n" + broker.stderr());
                String token = Files.readString(home.resolve("token")).trim();
                assertServes(tcp, ClientOptions.defaults().withToken(token));
            } finally {
                strangers.forEach(RawConnection::close);
            }
        }
    }

    /**
     * Writes most of a megabyte with no newline (just under the longest line a greeted caller may send),
     * in pieces; the broker may close the connection part way.
     */
    private static void hoardAMegabyte(RawConnection connection) {
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) 'x');
        try {
            connection.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"".getBytes(StandardCharsets.UTF_8));
            for (int written = 0; written < MiB - 2 * piece.length; written += piece.length) {
                connection.write(piece);
            }
        } catch (IOException closedByTheBroker) {
            // shed, or refused: what the test checks next
        }
    }

    private static void assertServes(TransportConnector connector, ClientOptions options) {
        try (PeersClient client = PeersClient.connect(
                connector, options.withReconnect(false).withRequestTimeout(Duration.ofSeconds(10)))) {
            client.register(RegisterRequest.of("/w", ClientType.GENERIC));
            client.ping();
            assertTrue(client.listPeers(Scope.MACHINE).size() <= 1);
        }
    }

    private static String tcpAddress(ChildBroker broker) throws InterruptedException {
        Pattern listening = Pattern.compile("tcp:(127\\.0\\.0\\.1:\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = listening.matcher(broker.stdout());
            if (matcher.find()) {
                return matcher.group(1);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the broker did not say its TCP address: " + broker.stdout() + broker.stderr());
    }
}
