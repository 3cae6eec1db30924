package io.agentpeers.broker.server;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selector of one listener's idle connections, and the thread that waits on it. A poll-based selector
 * (junixsocket's) scans every descriptor it holds on each wake-up: with a thousand idle peers on the
 * {@link SelectorLoop}s, every request paid for a scan of all of them. Parked here, an idle connection
 * costs a scan only when one of them speaks, and then it goes back to its loop, which reads and answers.
 *
 * <p>This thread only watches for input: it never reads, writes or closes a channel. A connection parked
 * here is still written to directly by whoever sends to it, and moves back to its loop when it needs more
 * (output to flush, a close to finish).
 */
final class ColdSelector implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ColdSelector.class);

    private final ConnectionServer server;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile boolean stopped;
    private final FailedWaits failedWaits = new FailedWaits();

    /** What a parked connection's key carries: the connection and which of its parkings this is. */
    private record Parked(ServerConnection connection, int parking) {}

    ColdSelector(ConnectionServer server, Selector selector, String threadName) {
        this.server = server;
        this.selector = selector;
        this.thread = new Thread(this, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    /** Closes the selector of a cold selector that was never started. */
    void discard() {
        stopped = true;
        closeSelector();
    }

    /** Ends the thread; called once the loops have closed every connection. */
    void stop() {
        stopped = true;
        selector.wakeup();
    }

    /**
     * Watches {@code connection}'s input until it arrives, then asks the connection's loop to take it back
     * ({@link ServerConnection#warmFromCold}). Any thread; {@code parking} tells this parking from a later one.
     */
    void park(ServerConnection connection, int parking) {
        tasks.add(() -> register(connection, parking));
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                runTasks();
                awaitReady();
                wakeupPending.set(false);
                runTasks();
                Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
                while (selected.hasNext()) {
                    SelectionKey key = selected.next();
                    selected.remove();
                    // Cancelled before the next wait: junixsocket closes the channel of a hung-up key at its
                    // next select, and the loop still has to read what the caller sent before it hung up.
                    key.cancel();
                    Parked parked = (Parked) key.attachment();
                    parked.connection().loop().execute(() -> parked.connection().warmFromCold(parked.parking()));
                }
            }
        } catch (Throwable e) {
            if (!stopped) {
                // Its connections would never be heard again: the owner stops the whole server.
                server.fatal("the cold selector " + thread.getName() + " died", e);
            }
        } finally {
            stopped = true;
            closeSelector();
        }
    }

    private void register(ServerConnection connection, int parking) {
        SelectionKey key;
        try {
            key = registerOnce(connection, parking);
        } catch (CancelledKeyException e) {
            // JDK selectors drop a cancelled key at their next select only; until then the channel
            // cannot register again. One non-blocking select drops it (a ready key stays ready: level-triggered).
            try {
                selector.selectNow();
                key = registerOnce(connection, parking);
            } catch (IOException | CancelledKeyException again) {
                LOG.warn("could not park {}: {}", connection, again.toString());
                connection.loop().execute(() -> connection.warmFromCold(parking));
                return;
            }
        } catch (ClosedChannelException e) {
            return; // closed meanwhile: its loop has released it
        }
        connection.parkedAs(key, parking);
    }

    private SelectionKey registerOnce(ServerConnection connection, int parking) throws ClosedChannelException {
        return connection.readSide().register(selector, SelectionKey.OP_READ, new Parked(connection, parking));
    }

    private void awaitReady() throws IOException {
        long startNanos = System.nanoTime();
        try {
            selector.select();
            failedWaits.succeeded();
        } catch (SocketTimeoutException e) {
            failedWaits.succeeded();
        } catch (IOException e) {
            if (stopped) {
                return;
            }
            failedWaits.failed(startNanos, e);
            LOG.debug("waiting for idle connections failed once ({}); waiting again", e.getMessage());
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("cold selector task failed", e);
            }
        }
    }

    private void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the cold selector failed", e);
        }
    }
}
