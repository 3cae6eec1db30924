package io.agentpeers.broker.server;

import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.ConnectionRefusedException;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's selector and the thread that runs it: accepts, identifies, reads and frames, and
 * writes. Every channel operation happens on this thread; other threads hand it work through
 * {@link #execute}.
 */
final class SelectorLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SelectorLoop.class);
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    // Per wake-up, so that one fast sender cannot starve the other connections of this loop.
    private static final int READS_PER_TURN = 16;
    private static final int ACCEPTS_PER_TURN = 64;
    private static final long TICK_MILLIS = 50;
    private static final long ACCEPT_BACKOFF_NANOS = 100_000_000L;
    /**
     * The kernel's send buffer asked for each connection: a {@code list_peers} line of 1,000 peers
     * (290 KB) then leaves in the replying thread's one write instead of waiting for the selector to
     * see the socket writable again (Unix sockets default to 208 KB). A limit, not an allocation.
     */
    private static final int SEND_BUFFER_BYTES = 1 << 20;

    private final ConnectionServer server;
    private final TransportListener listener;
    /** The listener's channel on the loop that accepts; null on the loops that only serve connections. */
    private final ServerSocketChannel serverChannel;
    private final Selector selector;
    private final ConnectionServerOptions options;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Set<ServerConnection> connections = new HashSet<>();
    private final Set<ServerConnection> closing = new HashSet<>();
    private final Thread thread;
    /** The loops of this listener, this one included, that accepted connections are spread over. */
    private List<SelectorLoop> group = List.of(this);
    private int nextInGroup;
    private SelectionKey serverKey;
    private long acceptResumeNanos;
    private boolean acceptPaused;
    private boolean stopping;
    private long stopDeadlineNanos;

    SelectorLoop(
            ConnectionServer server,
            TransportListener listener,
            ServerSocketChannel serverChannel,
            Selector selector,
            ConnectionServerOptions options,
            String threadName) {
        this.server = server;
        this.listener = listener;
        this.serverChannel = serverChannel;
        this.selector = selector;
        this.options = options;
        this.thread = new Thread(this, threadName);
        this.thread.setDaemon(true);
    }

    /** Spreads the connections this loop accepts over {@code loops} (set before {@link #start}). */
    void spreadOver(List<SelectorLoop> loops) {
        this.group = List.copyOf(loops);
    }

    void start() throws ClosedChannelException {
        if (serverChannel != null) {
            serverKey = serverChannel.register(selector, SelectionKey.OP_ACCEPT, null);
        }
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    /** Runs {@code task} on the loop thread soon. Wake-ups are coalesced. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Stops accepting, lets in-flight replies flush until {@code deadlineNanos}, then closes all. */
    void stop(long deadlineNanos) {
        execute(() -> {
            if (stopping) {
                return;
            }
            stopping = true;
            stopDeadlineNanos = deadlineNanos;
            if (serverKey != null) {
                serverKey.cancel();
                closeListener();
            }
            for (ServerConnection connection : new ArrayList<>(connections)) {
                // Queued behind the lines already read, so their replies go out first.
                connection.serial.execute(connection::closeGracefully);
            }
        });
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (IOException | RuntimeException e) {
            LOG.error("the {} selector loop failed; closing its connections", listener.transport(), e);
        } finally {
            for (ServerConnection connection : new ArrayList<>(connections)) {
                closeNow(connection, "broker stopped");
            }
            if (serverChannel != null) {
                closeListener();
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
            try {
                if (closing.isEmpty() && !stopping && !acceptPaused) {
                    selector.select();
                } else {
                    selector.select(TICK_MILLIS);
                }
            } catch (SocketTimeoutException e) {
                // junixsocket's selector reports an elapsed timeout this way.
            }
            wakeupPending.set(false);
            Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
            while (selected.hasNext()) {
                SelectionKey key = selected.next();
                selected.remove();
                handle(key);
            }
            sweep();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("selector task failed", e);
            }
        }
    }

    private void handle(SelectionKey key) {
        if (key == serverKey) {
            if (key.isValid() && key.isAcceptable()) {
                accept();
            }
            return;
        }
        ServerConnection connection = (ServerConnection) key.attachment();
        if (connection.channelClosed) {
            return;
        }
        // junixsocket marks the key invalid when poll reports a hang-up (the caller closed both ways)
        // and closes the channel at the next select: read what is left now, then close.
        boolean hungUp = !key.isValid();
        int ready;
        try {
            ready = key.readyOps();
        } catch (CancelledKeyException e) {
            closeNow(connection, "closed");
            return;
        }
        if (!hungUp && (ready & SelectionKey.OP_WRITE) != 0) {
            onWritable(connection);
        }
        if (!connection.channelClosed && (hungUp || (ready & SelectionKey.OP_READ) != 0)) {
            onReadable(connection, hungUp);
        }
        if (hungUp) {
            closeNow(connection, "closed by the caller");
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        if (acceptPaused && now - acceptResumeNanos >= 0 && !stopping && serverKey.isValid()) {
            acceptPaused = false;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        if (closing.isEmpty()) {
            return;
        }
        for (ServerConnection connection : new ArrayList<>(closing)) {
            if (now - connection.lingerDeadlineNanos >= 0) {
                closeNow(connection, connection.outputShut ? "closed" : "reply not read in time");
            }
        }
    }

    // ---- accepting ----

    private void accept() {
        for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
            SocketChannel channel;
            try {
                channel = serverChannel.accept();
            } catch (IOException e) {
                // Typically out of file descriptors: back off instead of spinning on a ready key.
                LOG.warn("accepting a {} connection failed: {}", listener.transport(), e.getMessage());
                acceptPaused = true;
                acceptResumeNanos = System.nanoTime() + ACCEPT_BACKOFF_NANOS;
                serverKey.interestOps(0);
                return;
            }
            if (channel == null) {
                return;
            }
            SelectorLoop target = group.get(nextInGroup);
            nextInGroup = (nextInGroup + 1) % group.size();
            if (target == this) {
                admit(channel);
            } else {
                target.execute(() -> target.admit(channel));
            }
        }
    }

    private void askForSendBuffer(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("no larger send buffer for a {} connection: {}", listener.transport(), e.getMessage());
        }
    }

    /** Takes a connection this loop's group accepted; on this loop's thread. */
    private void admit(SocketChannel channel) {
        if (stopping) {
            closeQuietly(channel);
            return;
        }
        ConnectionIdentity identity = null;
        String refusal = null;
        try {
            channel.configureBlocking(false);
            askForSendBuffer(channel);
            identity = listener.identify(channel);
        } catch (ConnectionRefusedException e) {
            refusal = e.getMessage();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not identify a {} connection", listener.transport(), e);
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
                options);
        try {
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        } catch (IOException e) {
            LOG.warn("could not register connection {}: {}", id, e.getMessage());
            closeQuietly(channel);
            return;
        }
        connections.add(connection);
        if (refused) {
            LOG.info("connection {} over {} refused: {}", id, listener.transport(), refusal);
            connection.send(JsonRpcResponse.failure(null, JsonRpcError.of(new ConnectionRefusedException(refusal)))
                    .toLine());
            connection.closeGracefully();
            return;
        }
        server.connectionOpened();
        LOG.info("connection {} opened over {} ({})", id, listener.transport(), identity.remote());
        connection.notifyOpened();
    }

    // ---- reading and writing ----

    private void onReadable(ServerConnection connection, boolean untilEnd) {
        // After a hang-up there is no later turn: read everything that is left.
        int turns = untilEnd ? Integer.MAX_VALUE : READS_PER_TURN;
        for (int i = 0; i < turns; i++) {
            readBuffer.clear();
            int count;
            try {
                count = connection.channel.read(readBuffer);
            } catch (IOException e) {
                closeNow(connection, "read failed: " + e.getMessage());
                return;
            }
            if (count < 0) {
                onEndOfInput(connection);
                return;
            }
            if (count == 0) {
                return;
            }
            readBuffer.flip();
            if (connection.state() == ServerConnection.State.OPEN && !connection.refused() && !stopping) {
                connection.framer.feed(readBuffer, connection.sink);
            }
            // Otherwise the bytes are read and dropped, so that closing does not reset the caller.
            if (!untilEnd && connection.pendingLines.get() >= options.maxPendingLines()) {
                pauseReading(connection);
                return;
            }
        }
    }

    private void pauseReading(ServerConnection connection) {
        connection.readPaused = true;
        // Re-check after publishing the flag: a worker may have drained the queue in between.
        if (connection.pendingLines.get() <= options.maxPendingLines() / 2) {
            connection.readPaused = false;
        }
        updateInterest(connection);
    }

    void resumeReading(ServerConnection connection) {
        if (connection.readPaused && connection.pendingLines.get() < options.maxPendingLines()) {
            connection.readPaused = false;
            updateInterest(connection);
        }
    }

    private void onEndOfInput(ServerConnection connection) {
        connection.inputEnded = true;
        if (connection.state() == ServerConnection.State.OPEN && !connection.refused()) {
            // The caller is done sending: answer what it sent, then close.
            connection.serial.execute(connection::closeGracefully);
        } else if (connection.outputShut) {
            closeNow(connection, "closed");
            return;
        }
        updateInterest(connection);
    }

    private void onWritable(ServerConnection connection) {
        try {
            connection.writeOutbound();
        } catch (IOException e) {
            closeNow(connection, "write failed: " + e.getMessage());
            return;
        }
        updateInterest(connection);
    }

    /** Recomputes what to wait for; finishes a graceful close once the output is flushed. */
    void updateInterest(ServerConnection connection) {
        if (connection.channelClosed || connection.key == null || !connection.key.isValid()) {
            return;
        }
        boolean pendingOutput = connection.hasOutbound();
        if (!pendingOutput
                && connection.state() == ServerConnection.State.DRAINING
                && closing.contains(connection)
                && !connection.outputShut) {
            connection.outputShut = true;
            try {
                connection.channel.shutdownOutput();
            } catch (IOException e) {
                closeNow(connection, "closed");
                return;
            }
            if (connection.inputEnded) {
                closeNow(connection, "closed");
                return;
            }
        }
        int ops = 0;
        if (!connection.inputEnded && !connection.readPaused) {
            ops |= SelectionKey.OP_READ;
        }
        if (pendingOutput) {
            ops |= SelectionKey.OP_WRITE;
        }
        connection.key.interestOps(ops);
    }

    // ---- closing ----

    void beginDrain(ServerConnection connection) {
        if (connection.channelClosed) {
            return;
        }
        connection.lingerDeadlineNanos = System.nanoTime() + options.closeLinger().toNanos();
        closing.add(connection);
        updateInterest(connection);
    }

    void closeNow(ServerConnection connection, String reason) {
        if (connection.channelClosed) {
            return;
        }
        connection.channelClosed = true;
        connection.markClosed();
        if (connection.key != null) {
            connection.key.cancel();
        }
        closeQuietly(connection.channel);
        connections.remove(connection);
        closing.remove(connection);
        if (!connection.refused()) {
            LOG.info("connection {} closed: {}", connection.id(), reason);
        }
        connection.notifyClosed(server::connectionClosed);
    }

    private void closeListener() {
        try {
            listener.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} listener failed", listener.transport(), e);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing a channel failed", e);
        }
    }
}
