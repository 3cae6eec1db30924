package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.broker.server.ConnectionServerOptions;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.testkit.Await;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against a live broker, over raw sockets: each fault gets its JSON-RPC error, and the
 * broker keeps serving that connection (when the rules say so) and every other one. Each test ends
 * by checking that well-behaved clients still register, send and receive.
 */
class BadInputTest {
    private static final int MAX_LINE = 4096;

    @TempDir
    Path dir;

    private InMemoryPeerStore store;
    private static final String TOKEN = "bad-input-token";
    private PeersBroker broker;
    private TcpListener tcp;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startBroker() {
        store = new InMemoryPeerStore();
        broker = PeersBroker.builder()
                .listen(new UnixSocketListener(dir.resolve("peers.sock")))
                .listen(tcp = new TcpListener(TcpAddress.parse("127.0.0.1:0")))
                .token(TOKEN)
                .store(store)
                .serverOptions(ConnectionServerOptions.defaults()
                        .withMaxLineBytes(MAX_LINE)
                        .withCloseLinger(Duration.ofMillis(300)))
                .start();
    }

    @AfterEach
    void stopBroker() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        broker.close();
        store.close();
    }

    private TransportConnector unix() {
        return new UnixSocketConnector(dir.resolve("peers.sock"));
    }

    private TransportConnector tcp() {
        return new TcpConnector(TcpAddress.parse(tcp.address()));
    }

    private RawConnection raw(TransportConnector connector) {
        RawConnection connection = new RawConnection(connector);
        open.add(connection);
        return connection;
    }

    private RawConnection greeted() throws Exception {
        RawConnection connection = raw(unix());
        assertTrue(connection.hello(null).has("result"));
        return connection;
    }

    private static void assertError(JsonNode reply, int rpcCode, String dataCode, Integer id) {
        JsonNode error = reply.get("error");
        assertNotNull(error, "an error: " + reply);
        assertEquals(rpcCode, error.path("code").asInt(), reply.toString());
        assertEquals(dataCode, error.path("data").path("code").asText(), reply.toString());
        assertFalse(error.path("message").asText().isBlank(), "a sentence: " + reply);
        if (id == null) {
            assertTrue(reply.path("id").isNull(), "no id to answer: " + reply);
        } else {
            assertEquals(id.intValue(), reply.path("id").asInt(), reply.toString());
        }
    }

    private static void assertPong(RawConnection connection, int id) throws Exception {
        JsonNode reply = connection.call("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
        assertTrue(reply.path("result").path("pong").asBoolean(), "the connection goes on: " + reply);
        assertEquals(id, reply.path("id").asInt());
    }

    /** Two well-behaved clients, one over each transport, register, send and receive. */
    private void assertWellBehavedClientsAreServed() throws Exception {
        ClientOptions options = ClientOptions.defaults()
                .withRequestTimeout(Duration.ofSeconds(10))
                .withReconnect(false);
        try (PeersClient alice = PeersClient.connect(unix(), options);
                PeersClient bob = PeersClient.connect(tcp(), options.withToken(TOKEN))) {
            alice.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("alice"));
            bob.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("bob"));
            BlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
            bob.subscribe(inbox::add);
            long id = alice.send("bob", "still here?").message().id();
            Envelope got = inbox.poll(10, TimeUnit.SECONDS);
            assertNotNull(got, "pushed to a well-behaved client");
            assertEquals(id, got.message().id());
            bob.send("alice", "yes");
            assertEquals(
                    "yes",
                    alice.waitForMessages(Duration.ofSeconds(5), 10)
                            .get(0)
                            .message()
                            .text());
        }
    }

    @Test
    void protocolFaultsGetTheirJsonRpcErrorsAndTheConnectionGoesOn() throws Exception {
        RawConnection c = raw(unix());
        assertError(c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), -32000, "hello_required", 1);
        assertError(c.call("{this is not json"), -32700, "parse_error", null);
        assertError(c.call("[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]"), -32600, "invalid_request", null);
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"hello\",\"params\":{\"protocol\":\"one\"}}"),
                -32602,
                "invalid_params",
                3);
        assertError(c.call("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"hello\"}"), -32602, "invalid_params", 4);
        assertTrue(c.hello(null).has("result"), "after all that, hello still works");
        assertError(c.call("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"frobnicate\"}"), -32601, "method_not_found", 5);
        assertError(c.call("{\"jsonrpc\":\"1.0\",\"id\":6,\"method\":\"ping\"}"), -32600, "invalid_request", 6);
        assertTrue(c.call("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"register\",\"params\":{\"cwd\":\"/w\","
                        + "\"client_type\":\"generic\",\"name\":\"raw\"}}")
                .has("result"));
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"send\",\"params\":{\"to\":42,\"text\":true}}"),
                -32602,
                "invalid_params",
                8);
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"send\",\"params\":{\"to\":\"raw\"}}"),
                -32602,
                "invalid_params",
                9);
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ack\",\"params\":{\"ids\":\"1,2\"}}"),
                -32602,
                "invalid_params",
                10);
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"wait\",\"params\":{\"timeout_ms\":\"soon\"}}"),
                -32602,
                "invalid_params",
                11);
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"set_delivery\",\"params\":{\"path\":\"carrier"
                        + " pigeon\"}}"),
                -32000,
                "invalid_argument",
                12);
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"set_delivery\",\"params\":{\"path\":\"poll\","
                        + "\"confirmed\":\"yes\"}}"),
                -32602,
                "invalid_params",
                13);
        assertError(
                c.call("{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"agent_unread\",\"params\":{\"stop\":\"yes\"}}"),
                -32602,
                "invalid_params",
                14);
        assertPong(c, 15);
        assertWellBehavedClientsAreServed();
    }

    @Test
    void agentUnreadOverTcpIsRefusedAndAStrangerProcessGetsAnEmptyAnswer() throws Exception {
        RawConnection overTcp = raw(tcp());
        assertTrue(overTcp.hello(TOKEN).has("result"));
        assertError(
                overTcp.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"agent_unread\",\"params\":{}}"),
                -32000,
                "not_authorized",
                1);
        assertPong(overTcp, 2);
        RawConnection unixCaller = greeted();
        JsonNode answer = unixCaller
                .call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"agent_unread\",\"params\":{\"stop\":true}}")
                .path("result");
        assertTrue(answer.path("peer").isNull(), "no peer's agent is above this process: " + answer);
        assertEquals(0, answer.path("unread").asInt());
        assertTrue(answer.path("senders").isArray() && answer.path("senders").isEmpty());
        assertFalse(answer.path("block_stop").asBoolean());
        assertWellBehavedClientsAreServed();
    }

    @Test
    void invalidUtf8GetsItsErrorAndTheConnectionKeepsWorking() throws Exception {
        RawConnection c = greeted();
        byte[] head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\""
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}}\n".getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, line, 0, head.length);
        line[head.length] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
        line[head.length + 1] = (byte) 0x28;
        System.arraycopy(tail, 0, line, head.length + 2, tail.length);
        c.write(line);
        assertError(c.next(), -32700, "invalid_utf8", null);
        assertPong(c, 2);
        c.write(new byte[] {(byte) 0xFF, (byte) 0xFE, '\n'});
        assertError(c.next(), -32700, "invalid_utf8", null);
        assertPong(c, 3);
        assertWellBehavedClientsAreServed();
    }

    @Test
    void anOversizeLineGetsAnErrorThenTheConnectionCloses() throws Exception {
        RawConnection c = greeted();
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" + "a".repeat(MAX_LINE)
                + "\"}}";
        c.send(big);
        JsonNode reply = c.next();
        assertError(reply, -32600, "line_too_long", null);
        assertTrue(reply.path("error").path("message").asText().contains(String.valueOf(MAX_LINE)), reply.toString());
        assertTrue(c.closedWithin(Duration.ofSeconds(10)), "the broker closes that connection");

        RawConnection within = greeted();
        String fits = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"x\":\""
                + "b".repeat(MAX_LINE - 100) + "\"}}";
        assertTrue(within.call(fits).path("result").path("pong").asBoolean(), "a line within the limit is served");
        assertWellBehavedClientsAreServed();
    }

    @Test
    void aClientThatSendsHalfALineAndStallsBlocksNobody() throws Exception {
        RawConnection staller = raw(unix());
        staller.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"meth".getBytes(StandardCharsets.UTF_8));
        RawConnection tcpStaller = raw(tcp());
        tcpStaller.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hel".getBytes(StandardCharsets.UTF_8));

        RawConnection other = greeted();
        assertPong(other, 5);
        assertWellBehavedClientsAreServed();
        assertTrue(staller.poll(Duration.ofMillis(100)).isEmpty(), "half a line gets no answer");

        staller.send("od\":\"hello\",\"params\":{\"protocol\":1}}");
        assertTrue(staller.next().path("result").has("broker_version"), "the finished line is served");
        assertPong(staller, 2);
    }

    @Test
    void aConnectionThatDoesNotSayHelloWithinFiveSecondsIsClosed() throws Exception {
        RawConnection silent = raw(tcp());
        JsonNode timedOut = silent.next();
        assertEquals(
                "hello_required",
                timedOut.path("error").path("data").path("code").asText(),
                timedOut.toString());
        assertTrue(timedOut.path("id").isNull(), "an error line without an id: " + timedOut);
        assertTrue(silent.closedWithin(Duration.ofSeconds(10)), "then the broker closes it");
        assertWellBehavedClientsAreServed();
    }

    @Test
    void hundredsOfConnectionsOpenedAndDroppedLeaveNothingBehind() throws Exception {
        for (int i = 0; i < 300; i++) {
            try (RawConnection c = new RawConnection(i % 4 == 3 ? tcp() : unix())) {
                switch (i % 3) {
                    case 0 ->
                        c.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hel".getBytes(StandardCharsets.UTF_8));
                    case 1 -> c.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":1}}");
                    default -> {
                        // opened and dropped without a byte
                    }
                }
            }
        }
        ClientOptions options = ClientOptions.defaults()
                .withRequestTimeout(Duration.ofSeconds(10))
                .withReconnect(false);
        try (PeersClient watcher = PeersClient.connect(unix(), options)) {
            Await.until(
                    Duration.ofSeconds(15),
                    () -> watcher.stats().connections() == 1,
                    "every dropped connection was closed on the broker's side too");
        }
        assertWellBehavedClientsAreServed();
    }

    @Test
    void aTcpHelloWithAWrongTokenIsRefusedAndClosed() throws Exception {
        RawConnection wrong = raw(tcp());
        assertError(wrong.hello("0".repeat(64)), -32000, "bad_token", 0);
        assertTrue(wrong.closedWithin(Duration.ofSeconds(10)), "the broker closes a connection with a wrong token");

        RawConnection none = raw(tcp());
        assertError(none.hello(null), -32000, "bad_token", 0);
        assertTrue(none.closedWithin(Duration.ofSeconds(10)), "and one without a token");

        for (String notAString : new String[] {"12345", "{\"token\":1}", "[\"" + TOKEN + "\"]", "null"}) {
            RawConnection odd = raw(tcp());
            assertError(
                    odd.call("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"hello\",\"params\":{\"protocol\":1,"
                            + "\"token\":" + notAString + "}}"),
                    -32000,
                    "bad_token",
                    0);
            assertTrue(odd.closedWithin(Duration.ofSeconds(10)), "a token that is not a string is a bad token");
        }

        RawConnection right = raw(tcp());
        assertTrue(right.hello(TOKEN).has("result"));
        assertPong(right, 1);
        assertWellBehavedClientsAreServed();
    }

    @Test
    void aHelloWithAnotherProtocolVersionSaysWhichSideToUpgradeOrRestart() throws Exception {
        RawConnection newer = raw(unix());
        JsonNode reply = newer.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":2}}");
        assertError(reply, -32000, "version_mismatch", 1);
        String sentence = reply.path("error").path("message").asText();
        assertTrue(
                sentence.contains("broker") && sentence.contains("stop"),
                "the older broker is to be restarted: " + sentence);

        RawConnection older = raw(unix());
        reply = older.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":0}}");
        assertError(reply, -32000, "version_mismatch", 1);
        sentence = reply.path("error").path("message").asText();
        assertTrue(
                sentence.contains("client") && (sentence.contains("upgrade") || sentence.contains("restart")),
                "the older client is to be upgraded: " + sentence);
        assertWellBehavedClientsAreServed();
    }
}
