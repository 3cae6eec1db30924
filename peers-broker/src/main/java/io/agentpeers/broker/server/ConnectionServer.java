package io.agentpeers.broker.server;

import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves line-delimited connections from one or more {@link TransportListener}s with a fixed number of
 * threads: the listener's accepting thread (if it has one), {@link ConnectionServerOptions#selectorLoops()}
 * selector threads per listener (the accepted connections are spread over them; each identifies, reads,
 * frames and writes for the connections given to it), one cold selector thread per listener that watches the
 * connections idle for {@link ConnectionServerOptions#coldAfter()} (so that the loops poll only those in use)
 * and a small shared worker pool that runs the
 * {@link ConnectionHandler}, serially per connection. A thousand connections need no more threads than one.
 * Every transport is served by this one engine: a listener only hands over {@code TransportChannel}s.
 *
 * <p>Lifecycle: the constructor does no I/O and starts no thread; {@link #start} binds a listener and
 * starts its loops (call it once per listener; the server then owns the listener); {@link #close()}
 * closes the listeners (stops accepting), lets replies already in flight be written (bounded by
 * {@link ConnectionServerOptions#shutdownGrace()}), closes every connection (the handler hears
 * {@code onClose} for each) and stops the threads. {@code close()} is idempotent.
 */
public final class ConnectionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionServer.class);

    private final ConnectionHandler handler;
    private final ConnectionServerOptions options;
    private final List<TransportListener> listeners = new CopyOnWriteArrayList<>();
    private final List<SelectorLoop> loops = new CopyOnWriteArrayList<>();
    private final List<ColdSelector> coldSelectors = new CopyOnWriteArrayList<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object startLock = new Object();
    private final FatalErrorListener onFatal;
    private final MemoryBudget inboundBudget;
    private final MemoryBudget outboundBudget;
    private volatile ExecutorService workers;

    /** Told when a thread of the server dies of an error, after which the server no longer serves everyone. */
    @FunctionalInterface
    public interface FatalErrorListener {
        void fatal(String what, Throwable cause);
    }

    /**
     * @param onFatal told once per thread that dies of an uncaught error (a selector loop, a worker);
     *                the server cannot recover from it, so the owner should stop
     */
    public ConnectionServer(ConnectionHandler handler, ConnectionServerOptions options, FatalErrorListener onFatal) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.options = Objects.requireNonNull(options, "options");
        this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
        this.inboundBudget = new MemoryBudget(options.inboundBudgetBytes(), ServerConnection::inboundHeld);
        this.outboundBudget = new MemoryBudget(options.outboundBudgetBytes(), ServerConnection::outboundQueued);
    }

    /** A server whose fatal errors are only logged. */
    public ConnectionServer(ConnectionHandler handler, ConnectionServerOptions options) {
        this(handler, options, (what, cause) -> LOG.error("{}", what, cause));
    }

    public ConnectionServer(ConnectionHandler handler) {
        this(handler, ConnectionServerOptions.defaults());
    }

    public ConnectionServerOptions options() {
        return options;
    }

    /**
     * Binds {@code listener} and starts serving it. On failure the listener is closed.
     *
     * @throws TransportException when it cannot bind, or its selectors cannot be opened
     * @throws IllegalStateException after {@link #close()}
     */
    public void start(TransportListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (startLock) {
            if (closed.get()) {
                throw new IllegalStateException("this connection server is closed");
            }
            if (workers == null) {
                workers = newWorkerPool(options.workerThreads(), this);
            }
            List<SelectorLoop> group = new ArrayList<>();
            ColdSelector cold = null;
            try {
                // The listener's own provider: junixsocket channels only work with junixsocket's selector.
                SelectorProvider provider = listener.selectorProvider();
                String name = "peers-" + listener.transport() + "-loop";
                if (!options.coldAfter().isZero()) {
                    cold = new ColdSelector(this, provider.openSelector(), "peers-" + listener.transport() + "-cold");
                }
                for (int i = 1; i <= options.selectorLoops(); i++) {
                    group.add(new SelectorLoop(
                            this,
                            listener.transport(),
                            provider.openSelector(),
                            options,
                            cold,
                            i == 1 ? name : name + "-" + i));
                }
                listener.start(spreadOver(List.copyOf(group)));
            } catch (IOException | RuntimeException e) {
                listener.close();
                group.forEach(SelectorLoop::discard);
                if (cold != null) {
                    cold.discard();
                }
                if (e instanceof TransportException te) {
                    throw te;
                }
                throw new TransportException(
                        "could not serve " + listener.transport() + " at " + listener.address() + ": " + e.getMessage(),
                        e);
            }
            listeners.add(listener);
            if (cold != null) {
                cold.start();
                coldSelectors.add(cold);
            }
            for (SelectorLoop loop : group) {
                loop.start();
                loops.add(loop);
            }
            LOG.info(
                    "listening over {} at {} ({} selector thread(s))",
                    listener.transport(),
                    listener.address(),
                    group.size());
        }
    }

    /** Hands accepted connections to the loops in turn; a connection arriving after the stop is closed. */
    private TransportListener.Acceptor spreadOver(List<SelectorLoop> group) {
        AtomicInteger next = new AtomicInteger();
        String transport = group.get(0).transport();
        return new TransportListener.Acceptor() {
            @Override
            public void accept(TransportChannel channel) {
                SelectorLoop target = group.get(Math.floorMod(next.getAndIncrement(), group.size()));
                if (closed.get() || !target.offer(channel)) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        LOG.debug("closing a connection accepted at shutdown failed", e);
                    }
                }
            }

            @Override
            public void acceptingFailed(Throwable cause) {
                if (!closed.get()) {
                    fatal("the " + transport + " listener's accepting thread died", cause);
                }
            }
        };
    }

    /** Bytes of input all connections hold now (partial lines, lines not yet handled). */
    public long inboundHeld() {
        return inboundBudget.held();
    }

    /** Bytes of output queued for all connections now. */
    public long outboundQueued() {
        return outboundBudget.held();
    }

    /** Connections parked on a cold selector now (idle for {@link ConnectionServerOptions#coldAfter()}). */
    public int idleConnectionCount() {
        int parked = 0;
        for (SelectorLoop loop : loops) {
            parked += loop.parkedCount();
        }
        return parked;
    }

    /** Connections accepted and not yet closed (their {@code onClose} not yet finished). */
    public int connectionCount() {
        return connections.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (startLock) {
            long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
            for (TransportListener listener : listeners) {
                closeListener(listener);
            }
            for (SelectorLoop loop : loops) {
                loop.stop(deadline);
            }
            for (SelectorLoop loop : loops) {
                joinQuietly(loop.thread(), remainingMillis(deadline) + 1000);
            }
            // After the loops: stopping, they take every parked connection back to close it.
            for (ColdSelector cold : coldSelectors) {
                cold.stop();
                joinQuietly(cold.thread(), 1000);
            }
            awaitNoConnections(remainingMillis(deadline) + 1000);
            if (workers != null) {
                workers.shutdown();
                try {
                    if (!workers.awaitTermination(remainingMillis(deadline) + 1000, TimeUnit.MILLISECONDS)) {
                        LOG.warn("connection handlers still running at shutdown; interrupting them");
                        workers.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    workers.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            }
            LOG.info("connection server stopped");
        }
    }

    // ---- for the loops ----

    MemoryBudget inboundBudget() {
        return inboundBudget;
    }

    MemoryBudget outboundBudget() {
        return outboundBudget;
    }

    ConnectionHandler handler() {
        return handler;
    }

    /** A thread of the server died of {@code cause}; not while closing, when loops end on purpose. */
    void fatal(String what, Throwable cause) {
        onFatal.fatal(what, cause);
    }

    ExecutorService workers() {
        return workers;
    }

    long nextConnectionId() {
        return connectionIds.incrementAndGet();
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        if (connections.decrementAndGet() == 0) {
            synchronized (connections) {
                connections.notifyAll();
            }
        }
    }

    private void awaitNoConnections(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (connections) {
            while (connections.get() > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.warn("{} connection(s) not closed in time at shutdown", connections.get());
                    return;
                }
                try {
                    connections.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void closeListener(TransportListener listener) {
        try {
            listener.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} listener failed", listener.transport(), e);
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static void joinQuietly(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ExecutorService newWorkerPool(int threads, ConnectionServer server) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(
                threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "peers-worker-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    thread.setUncaughtExceptionHandler((dead, error) -> server.fatal(dead.getName() + " died", error));
                    return thread;
                });
    }
}
