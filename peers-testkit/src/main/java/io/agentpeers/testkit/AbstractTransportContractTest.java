package io.agentpeers.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.server.ConnectionServer;
import io.agentpeers.broker.server.ConnectionServerOptions;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.protocol.wire.JsonRpc;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every transport must do under a {@link ConnectionServer}: a transport runs it by extending this
 * class and saying how to make a listener and a connector. The server is driven with a small echo
 * handler ({@link TransportEchoHandler}) and the transport's real connections; every wait is bounded.
 */
@Timeout(120)
public abstract class AbstractTransportContractTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Duration WAIT = Duration.ofSeconds(15);

    /** Small limits, so the limit tests move little data. */
    protected static final int MAX_LINE_BYTES = 64 * 1024;

    protected static final int WORKERS = 3;
    protected static final Duration COLD_AFTER = Duration.ofMillis(100);

    @TempDir
    protected Path tempDir;

    protected TransportEchoHandler handler;
    protected ConnectionServer server;
    protected TransportListener listener;
    protected TransportConnector connector;
    private ScheduledExecutorService watchdog;
    private final List<TransportTestClient> clients = new ArrayList<>();

    /** A new, unbound listener whose files (if any) live under {@code folder}. */
    protected abstract TransportListener newListener(Path folder);

    /** A connector to {@code listener}, which is bound by then. */
    protected abstract TransportConnector newConnector(TransportListener listener);

    /**
     * Whether a caller this transport cannot verify must present the token: true for a network
     * transport, false in VM (the caller is the program that holds the broker).
     */
    protected boolean unverifiedCallersNeedTheToken() {
        return true;
    }

    protected ConnectionServerOptions serverOptions() {
        return ConnectionServerOptions.defaults()
                .withMaxLineBytes(MAX_LINE_BYTES)
                .withMaxLineBytesBeforeHello(MAX_LINE_BYTES)
                .withMaxOutboundBytes(1024 * 1024)
                .withWorkerThreads(WORKERS)
                .withSelectorLoops(3) // connections kept by the accepting loop and handed to the others
                // Idle connections park on the cold selector within a few tenths of a second, so every test
                // here also runs across connections moving off their loop and back.
                .withColdAfter(COLD_AFTER)
                .withCloseLinger(Duration.ofSeconds(2))
                .withShutdownGrace(Duration.ofSeconds(5));
    }

    @BeforeEach
    void startServer() {
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "transport-test-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        handler = new TransportEchoHandler(MAX_LINE_BYTES);
        server = new ConnectionServer(handler, serverOptions());
        listener = newListener(tempDir);
        server.start(listener);
        connector = newConnector(listener);
    }

    @AfterEach
    void stopServer() {
        clients.forEach(TransportTestClient::close);
        server.close();
        watchdog.shutdownNow();
    }

    protected TransportTestClient connect() {
        TransportTestClient client = new TransportTestClient(connector.connect(), watchdog);
        clients.add(client);
        return client;
    }

    @Test
    void aRequestGetsItsReply() throws IOException {
        TransportTestClient client = connect();
        ObjectNode params = JSON.objectNode().put("text", "héllo, 世界 🙂");

        JsonNode reply = client.call("echo", params);

        assertEquals(JsonRpc.VERSION, reply.path("jsonrpc").asText());
        assertEquals(params, reply.get("result"));
    }

    @Test
    void anUnknownMethodGetsMethodNotFoundAndTheConnectionGoesOn() throws IOException {
        TransportTestClient client = connect();

        assertEquals(
                JsonRpc.METHOD_NOT_FOUND,
                client.call("nope", null).path("error").path("code").asInt());
        assertEquals(
                "ok",
                client.call("echo", JSON.objectNode().put("v", "ok"))
                        .path("result")
                        .path("v")
                        .asText());
    }

    @Test
    void theConnectionIsIdentifiedByTheTransport() throws IOException {
        JsonNode me = connect().call("whoami", null).get("result");

        assertEquals(connector.transport(), me.path("transport").asText());
        if (me.path("verified").asBoolean()) {
            assertEquals(ProcessHandle.current().pid(), me.path("pid").asLong());
            assertEquals(currentUid(), me.path("uid").asInt());
            assertFalse(me.path("tokenRequired").asBoolean());
        } else {
            assertEquals(
                    unverifiedCallersNeedTheToken(),
                    me.path("tokenRequired").asBoolean(),
                    "whether an unverified connection must present the token");
            assertFalse(me.has("pid"));
        }
    }

    /** How many connections the many-connection cases open at once: 200 unless a transport's are costly. */
    protected int manyConnections() {
        return 200;
    }

    /** How many connections are opened and dropped one after another: 300 unless a transport's are costly. */
    protected int churnedConnections() {
        return 300;
    }

    @Test
    void manyConnectionsAreServedByAFewThreads() throws IOException {
        int before = ManagementFactory.getThreadMXBean().getThreadCount();
        List<TransportTestClient> many = new ArrayList<>();
        for (int i = 0; i < manyConnections(); i++) {
            many.add(connect());
        }
        for (int i = 0; i < many.size(); i++) {
            many.get(i).request("echo", JSON.objectNode().put("n", i));
        }
        for (int i = 0; i < many.size(); i++) {
            JsonNode reply = many.get(i).readJson();
            assertNotNull(reply);
            assertEquals(i, reply.path("result").path("n").asInt());
        }
        int during = ManagementFactory.getThreadMXBean().getThreadCount();

        assertEquals(manyConnections(), server.connectionCount());
        // At most the worker pool was started meanwhile; nothing per connection.
        assertTrue(during - before <= WORKERS + 2, "threads went from " + before + " to " + during);
    }

    @Test
    void repliesOnOneConnectionComeInRequestOrder() throws IOException {
        List<TransportTestClient> three = List.of(connect(), connect(), connect());
        int requests = 300;
        for (TransportTestClient client : three) {
            StringBuilder batch = new StringBuilder();
            for (int i = 1; i <= requests; i++) {
                batch.append(JsonRpcRequest.request(i, "echo", JSON.objectNode().put("n", i))
                                .toLine())
                        .append('\n');
            }
            client.writeRaw(batch.toString().getBytes(StandardCharsets.UTF_8));
        }
        for (TransportTestClient client : three) {
            for (int i = 1; i <= requests; i++) {
                JsonNode reply = client.readJson();
                assertNotNull(reply, "reply " + i);
                assertEquals(i, reply.path("id").asInt(), "replies out of order");
            }
        }
    }

    @Test
    void anOversizeLineGetsAnErrorThenItsConnectionClosesWhileOthersGoOn() throws IOException {
        TransportTestClient bystander = connect();
        TransportTestClient offender = connect();
        long offenderId =
                offender.call("whoami", null).path("result").path("connection").asLong();

        byte[] huge = new byte[MAX_LINE_BYTES + 100];
        java.util.Arrays.fill(huge, (byte) 'a');
        offender.writeRaw(huge);
        offender.writeRaw(new byte[] {'\n'});

        JsonNode error = offender.readJson();
        assertNotNull(error);
        assertEquals(JsonRpc.INVALID_REQUEST, error.path("error").path("code").asInt());
        assertEquals(
                "line_too_long", error.path("error").path("data").path("code").asText());
        assertTrue(offender.closedByServer(), "the connection must close after a line that is too long");
        awaitTrue(() -> handler.closesOf(offenderId) == 1, "the handler hears the close");
        assertEquals(
                "still",
                bystander
                        .call("echo", JSON.objectNode().put("v", "still"))
                        .path("result")
                        .path("v")
                        .asText());
    }

    @Test
    void aLineOfExactlyTheMaximumLengthIsAccepted() throws IOException {
        TransportTestClient client = connect();
        String prefix = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"echo\",\"params\":{\"pad\":\"";
        String suffix = "\"}}";
        String line = prefix + "p".repeat(MAX_LINE_BYTES - prefix.length() - suffix.length()) + suffix;
        assertEquals(MAX_LINE_BYTES, line.getBytes(StandardCharsets.UTF_8).length);

        client.writeRaw((line + "\r\n").getBytes(StandardCharsets.UTF_8));

        assertEquals(7, client.readJson().path("id").asInt());
    }

    @Test
    void invalidUtf8GetsAnErrorAndTheConnectionGoesOn() throws IOException {
        TransportTestClient client = connect();

        client.writeRaw(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});

        JsonNode error = client.readJson();
        assertEquals(JsonRpc.PARSE_ERROR, error.path("error").path("code").asInt());
        assertEquals(
                "invalid_utf8", error.path("error").path("data").path("code").asText());
        assertEquals(
                "after",
                client.call("echo", JSON.objectNode().put("v", "after"))
                        .path("result")
                        .path("v")
                        .asText());
    }

    @Test
    void halfALineThenAStallDoesNotHoldUpOthers() throws IOException {
        TransportTestClient staller = connect();
        TransportTestClient other = connect();
        String line = JsonRpcRequest.request(42, "echo", JSON.objectNode().put("v", "late"))
                        .toLine() + "\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);

        staller.writeRaw(java.util.Arrays.copyOf(bytes, bytes.length / 2));
        for (int i = 0; i < 20; i++) {
            assertEquals(
                    i,
                    other.call("echo", JSON.objectNode().put("i", i))
                            .path("result")
                            .path("i")
                            .asInt());
        }
        staller.writeRaw(java.util.Arrays.copyOfRange(bytes, bytes.length / 2, bytes.length));

        assertEquals("late", staller.readJson().path("result").path("v").asText());
    }

    @Test
    void aReaderThatNeverReadsIsCutOffWithoutBlockingOthers() throws IOException {
        TransportTestClient sluggard = connect();
        TransportTestClient other = connect();
        long sluggardId =
                sluggard.call("whoami", null).path("result").path("connection").asLong();

        // Far more than the outbound limit plus any kernel buffer; never read.
        sluggard.request("flood", JSON.objectNode().put("lines", 10_000).put("bytes", 64 * 1024));

        awaitTrue(() -> handler.closesOf(sluggardId) == 1, "the slow reader is closed");
        assertTrue(handler.floodQueued(sluggardId) < 10_000, "the flood must have been refused");
        assertEquals(
                "fine",
                other.call("echo", JSON.objectNode().put("v", "fine"))
                        .path("result")
                        .path("v")
                        .asText());
        assertTrue(sluggard.closedByServer());
    }

    @Test
    void connectionsOpenedAndDroppedByTheHundredLeaveNothingBehind() throws IOException {
        int total = churnedConnections();
        for (int i = 0; i < total; i++) {
            TransportTestClient client = new TransportTestClient(connector.connect(), watchdog);
            try {
                switch (i % 4) {
                    case 0 -> {} // open and drop
                    case 1 -> client.writeRaw("{\"jsonrpc\":\"2.0\",\"id\":1,\"meth".getBytes(StandardCharsets.UTF_8));
                    case 2 -> client.request("echo", JSON.objectNode().put("i", i)); // never read
                    default ->
                        assertEquals(
                                i,
                                client.call("echo", JSON.objectNode().put("i", i))
                                        .path("result")
                                        .path("i")
                                        .asInt());
                }
            } finally {
                client.close();
            }
        }

        // The last few may still wait in the listen backlog (1024 deep) when the loop ends.
        awaitTrue(
                () -> handler.opens() == total && server.connectionCount() == 0,
                "every connection was accepted, opened and closed");
        assertEquals(total, handler.opens());
        assertEquals(total, handler.closeCount());
        assertTrue(handler.closesById().values().stream().allMatch(count -> count == 1), "onClose exactly once each");
        assertEquals(
                "alive",
                connect()
                        .call("echo", JSON.objectNode().put("v", "alive"))
                        .path("result")
                        .path("v")
                        .asText());
    }

    @Test
    void aGracefulStopWritesTheReplyInFlight() throws Exception {
        TransportTestClient client = connect();
        client.request("sleep", JSON.objectNode().put("millis", 400));
        assertTrue(handler.awaitSleepStarted(WAIT));

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);

        JsonNode reply = client.readJson();
        assertNotNull(reply, "the reply in flight must be written before the connection closes");
        assertEquals("slept", reply.path("result").asText());
        assertTrue(client.closedByServer());
        stopping.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(1, handler.closeCount());
        assertThrows(TransportException.class, connector::connect, "the listener is closed");
    }

    /** Two connections, both parked on the cold selector: one to send to, one to send from. */
    private record ParkedPair(TransportTestClient idle, long idleId, TransportTestClient sender) {}

    private ParkedPair parkedPair() throws IOException {
        TransportTestClient idle = connect();
        TransportTestClient sender = connect();
        long idleId =
                idle.call("whoami", null).path("result").path("connection").asLong();
        sender.call("echo", null);
        awaitTrue(() -> server.idleConnectionCount() == 2, "both connections parked while idle");
        return new ParkedPair(idle, idleId, sender);
    }

    /** Asks {@code sender}'s handler to push {@code lines} of {@code bytes} to connection {@code to}; how many were queued. */
    private static int push(TransportTestClient sender, long to, int lines, int bytes) throws IOException {
        return sender.call(
                        "push",
                        JSON.objectNode().put("to", to).put("lines", lines).put("bytes", bytes))
                .path("result")
                .asInt();
    }

    private static String echo(TransportTestClient client, String value) throws IOException {
        return client.call("echo", JSON.objectNode().put("v", value))
                .path("result")
                .path("v")
                .asText();
    }

    @Test
    void idleConnectionsParkYetStillAnswerAndGetWhatIsSentToThem() throws IOException {
        ParkedPair pair = parkedPair();

        assertEquals(3, push(pair.sender(), pair.idleId(), 3, 16));
        for (int seq = 0; seq < 3; seq++) {
            assertEquals(seq, pair.idle().readJson().path("params").path("seq").asInt(-1), "pushes arrive in order");
        }
        assertEquals("awake", echo(pair.idle(), "awake"), "a parked connection that speaks is answered");
        awaitTrue(() -> server.idleConnectionCount() == 2, "both parked again once idle");
        assertEquals(0, handler.closeCount());
    }

    @Test
    void outputThatDoesNotFitTheSocketReachesAParkedConnectionWhole() throws IOException {
        ParkedPair pair = parkedPair();
        int lines = 8; // about 480 KB a round: the queue stays under the 1 MiB outbound limit
        int bytes = 60_000;

        // Rounds until the kernel's buffers are full and the server queues the rest (a few MiB at most).
        int rounds = 0;
        while (server.outboundQueued() == 0) {
            assertTrue(rounds < 64, "the socket never filled");
            assertEquals(lines, push(pair.sender(), pair.idleId(), lines, bytes));
            rounds++;
        }

        // What the socket did not take is written once it drains: the connection is watched for that.
        for (int round = 0; round < rounds; round++) {
            for (int seq = 0; seq < lines; seq++) {
                JsonNode push = pair.idle().readJson();
                assertNotNull(push, "push " + seq + " of round " + round + " must arrive");
                assertEquals(seq, push.path("params").path("seq").asInt(-1));
                assertEquals(bytes, push.path("params").path("fill").asText().length());
            }
        }
        assertEquals("still", echo(pair.idle(), "still"));
        assertEquals(0, server.outboundQueued());
    }

    @Test
    void aParkedConnectionThatNeverReadsIsCutOffWithoutBlockingOthers() throws IOException {
        ParkedPair pair = parkedPair();

        int queued = push(pair.sender(), pair.idleId(), 10_000, 60_000);

        assertTrue(queued < 10_000, "the pushes must have been refused, " + queued + " were queued");
        awaitTrue(() -> handler.closesOf(pair.idleId()) == 1, "the slow reader is closed");
        assertEquals("fine", echo(pair.sender(), "fine"));
        assertTrue(pair.idle().closedByServer());
    }

    @Test
    void aGracefulStopClosesParkedConnectionsOnceEach() throws Exception {
        List<TransportTestClient> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TransportTestClient client = connect();
            client.call("echo", null);
            idle.add(client);
        }
        awaitTrue(() -> server.idleConnectionCount() == 3, "the connections parked while idle");

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);

        for (TransportTestClient client : idle) {
            assertTrue(client.closedByServer(), "a parked connection is closed at the stop");
        }
        stopping.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(3, handler.closeCount());
        assertTrue(handler.closesById().values().stream().allMatch(count -> count == 1), "onClose exactly once each");
        assertEquals(0, server.idleConnectionCount());
    }

    /** Waits up to 15 s for a condition, polling; fails with {@code what} if it never holds. */
    protected static void awaitTrue(BooleanSupplier condition, String what) {
        Await.until(WAIT, condition, what);
    }

    protected static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new AssertionError("cannot read the uid from /proc/self", e);
        }
    }
}
