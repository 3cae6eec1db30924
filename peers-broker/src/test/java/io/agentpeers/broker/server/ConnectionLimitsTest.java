package io.agentpeers.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.LineReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one caller, or many together, can make the server hold: the inbound budget of all connections,
 * the limits before a connection authenticates, the pause for callers that do not read, and the end
 * of the server when one of its threads dies.
 */
@Timeout(60)
class ConnectionLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KiB = 1024;

    private final List<Socket> sockets = new ArrayList<>();
    private ConnectionServer server;

    /** Authenticates every caller at once when asked to; "big" replies with 64 KiB; "die" throws an Error. */
    static final class Handler implements ConnectionHandler {
        final boolean authenticates;
        final AtomicInteger handled = new AtomicInteger();
        final List<ServerConnection> opened = new CopyOnWriteArrayList<>();

        Handler(boolean authenticates) {
            this.authenticates = authenticates;
        }

        @Override
        public void onOpen(ServerConnection connection) {
            opened.add(connection);
            if (authenticates) {
                connection.authenticated();
            }
        }

        @Override
        public void onLine(ServerConnection connection, String line) {
            handled.incrementAndGet();
            switch (line) {
                case "hello" -> {
                    connection.authenticated();
                    connection.send("re:hello");
                }
                case "slow hello" -> {
                    sleep(800); // longer than the test's hello timeout: a worker busy elsewhere
                    connection.authenticated();
                    connection.send("re:slow hello");
                }
                case "big" -> connection.send("x".repeat(64 * KiB));
                case "die" -> throw new AssertionError("an error no handler should throw");
                default -> connection.send("re:" + line);
            }
        }

        @Override
        public void onFramingError(ServerConnection connection, FramingError error) {
            connection.send("error:" + error.code() + ":" + connection.maxLineBytes());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void stalledPartialLinesOverTheBudgetShedTheLargestHolderWhileOthersAreServed() throws Exception {
        LoopbackListener listener = start(
                new Handler(true),
                ConnectionServerOptions.defaults()
                        .withInboundBudgetBytes(256 * KiB)
                        .withMaxLineBytesBeforeHello(1024 * KiB) // it authenticates at once, but after the first read
                        .withSelectorLoops(2));
        List<Socket> hoarders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Socket hoarder = connect(listener);
            // 100 KiB of one line that never ends: six of them are more than the budget.
            write(hoarder, "y".repeat(100 * KiB));
            hoarders.add(hoarder);
        }
        Socket small = connect(listener);

        int shed = 0;
        for (Socket hoarder : hoarders) {
            String line = readLineOrNull(hoarder, Duration.ofSeconds(2));
            if (line != null) {
                JsonNode error = JSON.readTree(line).path("error");
                assertEquals("broker_busy", error.path("data").path("code").asText(), line);
                assertTrue(error.path("message").asText().contains("held the most"), line);
                assertClosed(hoarder);
                shed++;
            }
        }
        assertTrue(shed >= 2, "at least two hoarders shed to fit 600 KiB into 256 KiB, got " + shed);
        assertTrue(shed < 6, "not every hoarder: the budget holds two of them, got " + shed);
        awaitTrue(() -> server.inboundHeld() <= 256 * KiB);

        write(small, "ping\n");
        assertEquals("re:ping", readLineOrNull(small, Duration.ofSeconds(5)), "a small caller is still served");
    }

    @Test
    void beforeItAuthenticatesAConnectionHoldsAFewKibAndAFewSeconds() throws Exception {
        Handler handler = new Handler(false);
        LoopbackListener listener = start(
                handler,
                ConnectionServerOptions.defaults()
                        .withMaxLineBytesBeforeHello(2 * KiB)
                        .withHelloTimeout(Duration.ofMillis(300)));

        Socket tooLong = connect(listener);
        write(tooLong, "z".repeat(4 * KiB));
        assertEquals("error:line_too_long:" + 2 * KiB, readLineOrNull(tooLong, Duration.ofSeconds(5)));
        assertClosed(tooLong);

        Socket silent = connect(listener);
        JsonNode timedOut = JSON.readTree(readLineOrNull(silent, Duration.ofSeconds(5)));
        assertEquals(
                "hello_required",
                timedOut.path("error").path("data").path("code").asText());
        assertClosed(silent);

        Socket queued = connect(listener);
        write(queued, "slow hello\n");
        assertEquals(
                "re:slow hello",
                readLineOrNull(queued, Duration.ofSeconds(5)),
                "a hello that waits for its worker past the timeout is still served");

        Socket greeted = connect(listener);
        write(greeted, "hello\n");
        assertEquals("re:hello", readLineOrNull(greeted, Duration.ofSeconds(5)), "lines after hello's reply");
        write(greeted, "w".repeat(100 * KiB) + "\n");
        String echoed = readLineOrNull(greeted, Duration.ofSeconds(5));
        assertEquals(100 * KiB + 3, echoed == null ? -1 : echoed.length(), "after hello, the full line limit");
        Thread.sleep(600);
        write(greeted, "still\n");
        assertEquals("re:still", readLineOrNull(greeted, Duration.ofSeconds(5)), "and no hello timeout");
    }

    @Test
    void aCallerThatDoesNotReadItsRepliesIsNotReadFromAndIsServedOnceItReads() throws Exception {
        Handler handler = new Handler(true);
        LoopbackListener listener = start(handler, ConnectionServerOptions.defaults());
        Socket reader = connect(listener);
        int requests = 400; // 25 MiB of replies, far more than the 4 MiB that closes a slow reader
        for (int i = 0; i < requests / 10; i++) {
            write(reader, "big\n".repeat(10)); // as a caller asks: a few at a time, not all in one read
            Thread.sleep(2);
        }
        Thread.sleep(500);
        int handledWhileNotReading = handler.handled.get();
        assertTrue(
                handledWhileNotReading < requests / 2,
                "requests are not read while replies wait: " + handledWhileNotReading + " of " + requests);
        assertTrue(handler.opened.get(0).isOpen(), "paused, not closed as a slow reader");

        LineReader lines = new LineReader(reader.getInputStream());
        for (int i = 0; i < requests; i++) {
            assertEquals(64 * KiB, lines.readLine().length(), "reply " + i);
        }
    }

    @Test
    void outputQueuedForAllSlowReadersTogetherIsBoundedByClosingTheLargestQueue() throws Exception {
        Handler handler = new Handler(true);
        LoopbackListener listener = start(
                handler,
                ConnectionServerOptions.defaults()
                        .withOutboundBudgetBytes(512 * KiB)
                        .withSelectorLoops(2));
        List<Socket> slowReaders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket slow = connect(listener);
            slowReaders.add(slow);
        }
        for (int round = 0; round < 60; round++) {
            for (Socket slow : slowReaders) {
                writeQuietly(slow, "big\n");
            }
            Thread.sleep(2);
        }
        // On a busy machine the broker may still be working through the requests: wait until it closed
        // a queue and handles nothing more (the open connections wait for their callers to read).
        awaitTrue(() -> closedCount(handler) >= 1 && settled(handler));
        awaitTrue(() -> server.outboundQueued() <= 512 * KiB);
        long closed = closedCount(handler);
        assertTrue(closed >= 1 && closed < 4, "the largest queues closed, not all: " + closed);

        Socket fresh = connect(listener);
        write(fresh, "ping\n");
        assertEquals("re:ping", readLineOrNull(fresh, Duration.ofSeconds(5)), "others are still served");
    }

    @Test
    void aWorkerThatDiesOfAnErrorIsFatalToTheServer() throws Exception {
        CountDownLatch told = new CountDownLatch(1);
        List<String> what = new CopyOnWriteArrayList<>();
        server = new ConnectionServer(new Handler(true), ConnectionServerOptions.defaults(), (reason, cause) -> {
            what.add(reason + ": " + cause);
            told.countDown();
        });
        LoopbackListener listener = new LoopbackListener(0);
        server.start(listener);
        Socket socket = connect(listener);

        write(socket, "die\n");

        assertTrue(told.await(10, TimeUnit.SECONDS), "the owner hears of it");
        assertTrue(what.get(0).contains("peers-worker") && what.get(0).contains("AssertionError"), what.get(0));
        assertFalse(what.isEmpty());
    }

    private static long closedCount(Handler handler) {
        return handler.opened.stream().filter(c -> !c.isOpen()).count();
    }

    /** Whether the handler handled nothing new for 300 ms. */
    private static boolean settled(Handler handler) {
        int before = handler.handled.get();
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return handler.handled.get() == before;
    }

    private LoopbackListener start(Handler handler, ConnectionServerOptions options) {
        server = new ConnectionServer(handler, options);
        LoopbackListener listener = new LoopbackListener(0);
        server.start(listener);
        return listener;
    }

    private Socket connect(LoopbackListener listener) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.port());
        sockets.add(socket);
        return socket;
    }

    private static void writeQuietly(Socket socket, String text) {
        try {
            write(socket, text);
        } catch (IOException e) {
            // closed by the server
        }
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line, or null at the end of input or when nothing comes within {@code wait}. */
    private static String readLineOrNull(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            return new LineReader(socket.getInputStream()).readLine();
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return null; // reset by the peer: closed
        }
    }

    /** The server closed the connection: the end of input (or a reset) comes before any line or timeout. */
    private static void assertClosed(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        try {
            assertEquals(-1, socket.getInputStream().read(), "the end of input");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open", e);
        } catch (IOException reset) {
            // closed with unread input: a reset
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out");
            Thread.sleep(5);
        }
    }
}
