package io.agentpeers.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.LineReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's behaviour that no transport changes, over plain loopback sockets. */
@Timeout(60)
class ConnectionServerTest {
    private final List<Socket> sockets = new ArrayList<>();
    private ConnectionServer server;

    /**
     * Replies "re:" + line; "boom" throws; "slow" sleeps 2 ms, "hold" {@link #HOLD_MILLIS} (long enough that the
     * lines read behind it on a loaded machine still find it in flight). Counts opens and closes per connection.
     */
    static final long HOLD_MILLIS = 300;

    static class RawEcho implements ConnectionHandler {
        final AtomicInteger opens = new AtomicInteger();
        final ConcurrentHashMap<Long, AtomicInteger> closes = new ConcurrentHashMap<>();
        final List<Long> inFlightViolations = new CopyOnWriteArrayList<>();
        final ConcurrentHashMap<Long, AtomicInteger> busy = new ConcurrentHashMap<>();

        @Override
        public void onOpen(ServerConnection connection) {
            opens.incrementAndGet();
            connection.authenticated();
        }

        @Override
        public void onLine(ServerConnection connection, String line) {
            AtomicInteger running = busy.computeIfAbsent(connection.id(), id -> new AtomicInteger());
            if (running.incrementAndGet() != 1) {
                inFlightViolations.add(connection.id());
            }
            try {
                if (line.equals("boom")) {
                    throw new IllegalStateException("handler failure the server must survive");
                }
                if (line.startsWith("slow")) {
                    Thread.sleep(2);
                } else if (line.startsWith("hold")) {
                    Thread.sleep(HOLD_MILLIS);
                }
                connection.send("re:" + line);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public void onFramingError(ServerConnection connection, FramingError error) {
            connection.send("error:" + error.code());
        }

        @Override
        public void onClose(ServerConnection connection) {
            closes.computeIfAbsent(connection.id(), id -> new AtomicInteger()).incrementAndGet();
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

    private LoopbackListener start(RawEcho handler, ConnectionServerOptions options, int refuseEvery) {
        server = new ConnectionServer(handler, options);
        LoopbackListener listener = new LoopbackListener(refuseEvery);
        server.start(listener);
        return listener;
    }

    private Socket connect(LoopbackListener listener) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.port());
        socket.setSoTimeout(10_000); // every read bounded
        sockets.add(socket);
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Answers "quick" lines on the selector thread, when the server lets it; the rest as {@link RawEcho}. */
    static class QuickOnLoop extends RawEcho {
        final List<String> answeredOnLoop = new CopyOnWriteArrayList<>();
        final List<String> loopThreads = new CopyOnWriteArrayList<>();

        @Override
        public boolean answeredOnLoop(ServerConnection connection, String line) {
            if (!line.startsWith("quick")) {
                return false;
            }
            answeredOnLoop.add(line);
            loopThreads.add(Thread.currentThread().getName());
            connection.send("re:" + line);
            return true;
        }
    }

    @Test
    void linesAnsweredOnTheSelectorThreadKeepStreamOrderBehindLinesAWorkerStillHandles() throws Exception {
        QuickOnLoop handler = new QuickOnLoop();
        Socket socket = connect(start(handler, ConnectionServerOptions.defaults(), 0));
        LineReader reader = new LineReader(socket.getInputStream());

        // The first line may come before the worker ran onOpen: then it waits for the worker too.
        write(socket, "quick-first\n");
        assertEquals("re:quick-first", reader.readLine());
        // Behind a line a worker is handling, quick lines wait for the worker too: replies stay in order.
        write(socket, "hold-1\nquick-1\nhold-2\nquick-2\n");
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(reader.readLine());
        }
        assertEquals(List.of("re:hold-1", "re:quick-1", "re:hold-2", "re:quick-2"), replies);
        // Once the worker is done (it may still be finishing after its last reply), quick lines go on the loop.
        boolean onLoop = false;
        for (int i = 0; i < 50 && !onLoop; i++) {
            write(socket, "quick-after-" + i + "\n");
            assertEquals("re:quick-after-" + i, reader.readLine());
            onLoop = handler.answeredOnLoop.contains("quick-after-" + i);
        }
        assertTrue(onLoop, handler.answeredOnLoop::toString);
        assertTrue(!handler.answeredOnLoop.contains("quick-1"), "quick-1 waited behind hold-1");
        assertTrue(handler.loopThreads.stream().allMatch(name -> name.contains("loop")), handler.loopThreads::toString);
        assertTrue(handler.inFlightViolations.isEmpty());
    }

    @Test
    void aRefusedConnectionGetsOneErrorLineWithTheReasonThenIsClosed() throws IOException {
        RawEcho handler = new RawEcho();
        LoopbackListener listener = start(handler, ConnectionServerOptions.defaults(), 2);
        Socket admitted = connect(listener);
        Socket refused = connect(listener);

        LineReader reader = new LineReader(refused.getInputStream());
        String line = reader.readLine();

        assertTrue(line.contains("\"code\":-32000"), line);
        assertTrue(line.contains("connection 2 is refused by the test"), line);
        assertTrue(line.contains("\"data\":{\"code\":\"not_authorized\"}"), line);
        assertTrue(line.contains("\"id\":null"), line);
        assertNull(reader.readLine(), "then the connection closes");
        write(admitted, "hi\n");
        assertEquals("re:hi", new LineReader(admitted.getInputStream()).readLine());
        assertEquals(1, handler.opens.get(), "a refused connection never reaches the handler");
    }

    @Test
    void aCallerThatStopsSendingStillGetsItsRepliesThenTheConnectionCloses() throws IOException {
        RawEcho handler = new RawEcho();
        LoopbackListener listener = start(handler, ConnectionServerOptions.defaults(), 0);
        Socket socket = connect(listener);

        write(socket, "a\nb\nc\n");
        socket.shutdownOutput();

        LineReader reader = new LineReader(socket.getInputStream());
        assertEquals("re:a", reader.readLine());
        assertEquals("re:b", reader.readLine());
        assertEquals("re:c", reader.readLine());
        assertNull(reader.readLine());
        awaitTrue(() -> server.connectionCount() == 0);
        assertEquals(1, handler.closes.values().iterator().next().get());
    }

    @Test
    void aParkedCallerThatSendsItsLastLinesAndStopsSendingGetsItsRepliesThenTheConnectionCloses() throws IOException {
        RawEcho handler = new RawEcho();
        LoopbackListener listener =
                start(handler, ConnectionServerOptions.defaults().withColdAfter(Duration.ofMillis(50)), 0);
        Socket socket = connect(listener);
        LineReader reader = new LineReader(socket.getInputStream());
        write(socket, "first\n");
        assertEquals("re:first", reader.readLine());
        awaitTrue(() -> server.idleConnectionCount() == 1);

        write(socket, "a\nb\n");
        socket.shutdownOutput();

        assertEquals("re:a", reader.readLine());
        assertEquals("re:b", reader.readLine());
        assertNull(reader.readLine());
        awaitTrue(() -> server.connectionCount() == 0);
        assertEquals(0, server.idleConnectionCount());
        assertEquals(1, handler.closes.values().iterator().next().get());
    }

    @Test
    void withColdAfterZeroAnIdleConnectionStaysOnItsLoop() throws Exception {
        RawEcho handler = new RawEcho();
        LoopbackListener listener =
                start(handler, ConnectionServerOptions.defaults().withColdAfter(Duration.ZERO), 0);
        Socket socket = connect(listener);
        LineReader reader = new LineReader(socket.getInputStream());
        write(socket, "hi\n");
        assertEquals("re:hi", reader.readLine());

        Thread.sleep(100);

        assertEquals(0, server.idleConnectionCount());
        write(socket, "again\n");
        assertEquals("re:again", reader.readLine());
    }

    @Test
    void aFastSenderIsThrottledNotBufferedWithoutBoundAndEveryLineIsAnsweredInOrder() throws Exception {
        RawEcho handler = new RawEcho();
        LoopbackListener listener = start(
                handler,
                ConnectionServerOptions.defaults().withMaxPendingLines(8).withWorkerThreads(2),
                0);
        Socket socket = connect(listener);
        int lines = 600;
        Thread writer = new Thread(() -> {
            try {
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < lines; i++) {
                    all.append("slow").append(i).append('\n');
                }
                write(socket, all.toString());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();

        LineReader reader = new LineReader(socket.getInputStream());
        for (int i = 0; i < lines; i++) {
            assertEquals("re:slow" + i, reader.readLine());
        }
        writer.join(10_000);
        assertTrue(handler.inFlightViolations.isEmpty(), "one line at a time per connection");
    }

    @Test
    void aHandlerThatThrowsDoesNotEndTheConnection() throws IOException {
        LoopbackListener listener = start(new RawEcho(), ConnectionServerOptions.defaults(), 0);
        Socket socket = connect(listener);

        write(socket, "boom\nafter\n");

        assertEquals("re:after", new LineReader(socket.getInputStream()).readLine());
    }

    @Test
    void aListenerThatCannotBindIsClosedAndTheFailureSaysWhere() {
        server = new ConnectionServer(new RawEcho());
        AtomicInteger closes = new AtomicInteger();
        TransportListener broken = new TransportListener() {
            @Override
            public String transport() {
                return "broken";
            }

            @Override
            public void start(Acceptor acceptor) {
                throw new TransportException("cannot listen at nowhere: no such place");
            }

            @Override
            public String address() {
                return "nowhere";
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };

        TransportException e = assertThrows(TransportException.class, () -> server.start(broken));

        assertTrue(e.getMessage().contains("nowhere"));
        assertEquals(1, closes.get());
    }

    @Test
    void closeIsIdempotentClosesTheListenerAndRefusesLaterStarts() {
        LoopbackListener listener = start(new RawEcho(), ConnectionServerOptions.defaults(), 0);

        server.close();
        server.close();

        assertTrue(listener.closed);
        assertThrows(IllegalStateException.class, () -> server.start(new LoopbackListener(0)));
    }

    @Test
    void sendRefusesLineBreaksAndLinesOnceClosed() throws IOException {
        List<ServerConnection> seen = new CopyOnWriteArrayList<>();
        RawEcho handler = new RawEcho() {
            @Override
            public void onOpen(ServerConnection connection) {
                seen.add(connection);
            }
        };
        LoopbackListener listener = start(handler, ConnectionServerOptions.defaults(), 0);
        connect(listener);
        awaitTrue(() -> seen.size() == 1);
        ServerConnection connection = seen.get(0);

        assertThrows(IllegalArgumentException.class, () -> connection.send("a\nb"));
        assertTrue(connection.isOpen());
        connection.close();
        assertEquals(false, connection.send("late"));
        awaitTrue(() -> server.connectionCount() == 0);
        connection.close();
        connection.closeGracefully();
        assertEquals(1, handler.closes.get(connection.id()).get());
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out");
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
