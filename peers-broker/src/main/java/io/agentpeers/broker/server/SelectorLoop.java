package io.agentpeers.broker.server;

import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.ConnectionRefusedException;
import io.agentpeers.protocol.transport.TransportChannel;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector and the thread that runs it, for some of one listener's connections: admits the
 * connections handed to it, and tells each connection what its channel is ready for (the connection
 * reads, frames and writes). Every channel operation happens on this thread; other threads hand it
 * work through {@link #execute}.
 */
final class SelectorLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SelectorLoop.class);
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final long TICK_MILLIS = 50;
    /**
     * The kernel's send buffer asked for each socket connection: a {@code list_peers} line of 1,000
     * peers (290 KB) then leaves in the replying thread's one write instead of waiting for the selector
     * to see the socket writable again (Unix sockets default to 208 KB). A limit, not an allocation.
     */
    private static final int SEND_BUFFER_BYTES = 1 << 20;

    private final ConnectionServer server;
    private final String transport;
    private final Selector selector;
    private final ConnectionServerOptions options;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Set<ServerConnection> connections = new HashSet<>();
    private final Set<ServerConnection> lingering = new HashSet<>();
    /** Connections opened whose handler has not yet called {@link ServerConnection#authenticated()}. */
    private final Set<ServerConnection> awaitingHello = new HashSet<>();

    /** Where idle connections wait, or null when they stay here ({@code coldAfter} zero). */
    private final ColdSelector coldSelector;

    private final long coldAfterNanos;
    /** How often connections are looked at for parking: a connection parks within 1.5 times coldAfter. */
    private final long parkCheckNanos;

    private long nextParkCheckNanos;
    /** Connections of this loop parked on the cold selector; written on this thread. */
    private volatile int parked;

    private final Thread thread;
    private volatile boolean ended;
    private boolean stopping;
    private long stopDeadlineNanos;
    private final FailedWaits failedWaits = new FailedWaits(); // on this loop's thread

    SelectorLoop(
            ConnectionServer server,
            String transport,
            Selector selector,
            ConnectionServerOptions options,
            ColdSelector coldSelector,
            String threadName) {
        this.server = server;
        this.transport = transport;
        this.selector = selector;
        this.options = options;
        this.coldSelector = coldSelector;
        this.coldAfterNanos = coldSelector == null ? 0 : options.coldAfter().toNanos();
        this.parkCheckNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), coldAfterNanos / 2);
        this.nextParkCheckNanos = System.nanoTime() + parkCheckNanos;
        this.thread = new Thread(this, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Closes the selector of a loop that was never started (its listener failed to start). */
    void discard() {
        ended = true;
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the selector failed", e);
        }
    }

    /** The loop's read buffer, for a connection reading outside a selected key (on this loop's thread). */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    Thread thread() {
        return thread;
    }

    String transport() {
        return transport;
    }

    /** Runs {@code task} on the loop thread soon. Wake-ups are coalesced. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /**
     * Hands an accepted connection to this loop; any thread.
     *
     * @return false when the loop has ended (then the caller closes the channel)
     */
    boolean offer(TransportChannel channel) {
        if (ended) {
            return false;
        }
        execute(() -> admit(channel));
        return true;
    }

    /** Lets in-flight replies flush until {@code deadlineNanos}, then closes all. */
    void stop(long deadlineNanos) {
        execute(() -> {
            if (stopping) {
                return;
            }
            stopping = true;
            stopDeadlineNanos = deadlineNanos;
            for (ServerConnection connection : new ArrayList<>(connections)) {
                // Queued behind the lines already read, so their replies go out first.
                connection.closeAfterQueuedLines();
            }
        });
    }

    /** Stopping: connections drop what they read instead of handing it on. */
    boolean isStopping() {
        return stopping;
    }

    /** A connection started its graceful close: watch its linger. */
    void lingering(ServerConnection connection) {
        lingering.add(connection);
    }

    /** A connection authenticated, or closed: its hello deadline no longer applies. */
    void helloDone(ServerConnection connection) {
        awaitingHello.remove(connection);
    }

    /**
     * Registers {@code channel} with this loop's selector; on this loop's thread. A JDK selector drops a
     * cancelled key only at its next select, and until then the channel cannot register again (a connection
     * taken back from the cold selector right after it was parked): one non-blocking select drops it, and a
     * key it finds ready stays selected (level-triggered), so nothing is missed.
     */
    SelectionKey register(SelectableChannel channel, int ops, Object attachment) throws IOException {
        SelectionKey key;
        try {
            key = channel.register(selector, ops, attachment);
        } catch (CancelledKeyException e) {
            selector.selectNow();
            key = channel.register(selector, ops, attachment);
        }
        if (!key.isValid()) {
            throw new IOException("the selector gave back a cancelled key");
        }
        return key;
    }

    /** A connection of this loop left the cold selector (taken back, or closed). */
    void warmed() {
        parked--;
    }

    /** Connections of this loop parked on the cold selector now; any thread. */
    int parkedCount() {
        return parked;
    }

    /** A connection closed its channel. */
    void released(ServerConnection connection) {
        connections.remove(connection);
        lingering.remove(connection);
    }

    /** A connection's handler heard {@code onClose}; any thread. */
    void handlerClosed() {
        server.connectionClosed();
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable e) {
            // Its connections can no longer be served, and new ones handed to it would not be: the
            // owner stops the whole server rather than serve some callers and silently drop others.
            server.fatal("the " + transport + " selector loop " + thread.getName() + " died", e);
        } finally {
            ended = true;
            for (ServerConnection connection : new ArrayList<>(connections)) {
                connection.closeNow("broker stopped");
            }
            // Connections handed over after the last turn.
            Runnable task;
            while ((task = tasks.poll()) != null) {
                runQuietly(task);
            }
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing the selector failed", e);
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            runTasks();
            if (stopping && (connections.isEmpty() || System.nanoTime() - stopDeadlineNanos >= 0)) {
                return;
            }
            awaitReady();
            wakeupPending.set(false);
            // Tasks handed over while it waited come before the input that woke it (a hello that
            // succeeded stops its timeout before the caller's next line is read).
            runTasks();
            long turnNanos = System.nanoTime();
            Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
            while (selected.hasNext()) {
                SelectionKey key = selected.next();
                selected.remove();
                ((ServerConnection) key.attachment()).onSelected(key, readBuffer, turnNanos);
            }
            if (coldSelector != null && turnNanos - nextParkCheckNanos >= 0) {
                nextParkCheckNanos = turnNanos + parkCheckNanos;
                parkIdleConnections(turnNanos);
            }
            if (!lingering.isEmpty() || !awaitingHello.isEmpty()) {
                long now = System.nanoTime();
                for (ServerConnection connection : new ArrayList<>(lingering)) {
                    connection.closeIfLingerExpired(now);
                }
                awaitingHello.removeIf(connection -> connection.closeIfHelloOverdue(now));
            }
        }
    }

    /** Moves the connections idle for {@code coldAfter} to the cold selector. */
    private void parkIdleConnections(long nowNanos) {
        if (stopping) {
            return;
        }
        for (ServerConnection connection : connections) {
            if (connection.parkIfIdle(nowNanos, coldAfterNanos, coldSelector)) {
                parked++;
            }
        }
    }

    /** Waits for ready keys, a wakeup or a tick; a wait a signal interrupted counts as an empty one. */
    private void awaitReady() throws IOException {
        long startNanos = System.nanoTime();
        try {
            long wait = 0; // none: until input or a wakeup
            if (!lingering.isEmpty() || !awaitingHello.isEmpty() || stopping) {
                wait = TICK_MILLIS;
            }
            if (coldSelector != null && connections.size() > parked && !stopping) {
                // Connections still here: look again when the next may have become idle.
                long untilCheck = TimeUnit.NANOSECONDS.toMillis(nextParkCheckNanos - System.nanoTime()) + 1;
                wait = wait == 0 ? Math.max(1, untilCheck) : Math.max(1, Math.min(wait, untilCheck));
            }
            if (wait == 0) {
                selector.select();
            } else {
                selector.select(wait);
            }
            failedWaits.succeeded();
        } catch (SocketTimeoutException e) {
            // junixsocket's selector reports an elapsed timeout this way.
            failedWaits.succeeded();
        } catch (IOException e) {
            failedWaits.failed(startNanos, e);
            LOG.debug("waiting for {} input failed once ({}); waiting again", transport, e.getMessage());
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            runQuietly(task);
        }
    }

    private static void runQuietly(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("selector task failed", e);
        }
    }

    // ---- admitting ----

    /** Identifies and registers a connection handed to this loop; on this loop's thread. */
    private void admit(TransportChannel channel) {
        if (stopping || ended) {
            closeQuietly(channel);
            return;
        }
        ConnectionIdentity identity = null;
        String refusal = null;
        try {
            if (channel.provider() != selector.provider()) {
                throw new IOException("its channels are not of this listener's selector provider");
            }
            channel.configureNonBlocking();
            askForSendBuffer(channel);
            identity = channel.identify();
        } catch (ConnectionRefusedException e) {
            refusal = e.getMessage();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not identify a {} connection", transport, e);
            refusal = "the broker could not identify this connection: " + e.getMessage();
        }
        long id = server.nextConnectionId();
        boolean refused = refusal != null;
        ServerConnection connection = new ServerConnection(
                id,
                identity,
                channel,
                this,
                refused ? null : server.handler(),
                new SerialExecutor(server.workers()),
                server.inboundBudget(),
                server.outboundBudget(),
                options);
        try {
            connection.register();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not register connection {}: {}", id, e.getMessage());
            closeQuietly(channel);
            return;
        }
        connections.add(connection);
        if (refused) {
            LOG.info("connection {} over {} refused: {}", id, transport, refusal);
            connection.sendError(new ConnectionRefusedException(refusal));
            connection.closeGracefully();
            return;
        }
        server.connectionOpened();
        connection.awaitHello(System.nanoTime() + options.helloTimeout().toNanos());
        awaitingHello.add(connection);
        LOG.info("connection {} opened over {} ({})", id, transport, identity.remote());
        connection.notifyOpened();
    }

    private void askForSendBuffer(TransportChannel channel) {
        if (!(channel.writeSide() instanceof NetworkChannel socket)) {
            return;
        }
        try {
            socket.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("no larger send buffer for a {} connection: {}", transport, e.getMessage());
        }
    }

    private static void closeQuietly(TransportChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing a channel failed", e);
        }
    }
}
