package io.agentpeers.protocol.transport;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting thread of a socket listener: a blocking {@code accept} in a loop, each connection
 * wrapped and handed to the server. When accepting fails while the server channel is open (typically
 * out of file descriptors) it backs off instead of spinning. Closing the server channel ends it: a
 * blocked accept returns at once. Any other error ends it too, and the acceptor hears of it
 * ({@link TransportListener.Acceptor#acceptingFailed}).
 */
public final class AcceptThread {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptThread.class);

    /**
     * The listen queue a socket listener asks for: the clients of a restarted broker (thousands) connect
     * in one burst, faster than one thread accepts. With junixsocket's default of 50 the 52nd
     * non-blocking connect got EAGAIN and the blocking ones waited for the accept thread; the JDK's TCP
     * default is 50 too. Linux caps it at {@code net.core.somaxconn} (4096 by default since 5.4).
     */
    public static final int LISTEN_BACKLOG = 1024;

    private static final long BACKOFF_MILLIS = 100;

    /** Makes the server's view of one accepted socket; may throw to drop it. */
    @FunctionalInterface
    public interface Wrapper {
        TransportChannel wrap(SocketChannel accepted) throws IOException;
    }

    private final Thread thread;

    private AcceptThread(Thread thread) {
        this.thread = thread;
    }

    /** Starts accepting on {@code server}, which must be bound and in blocking mode. */
    public static AcceptThread start(
            String transport, ServerSocketChannel server, Wrapper wrapper, TransportListener.Acceptor acceptor) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(wrapper, "wrapper");
        Objects.requireNonNull(acceptor, "acceptor");
        Thread thread = new Thread(() -> run(transport, server, wrapper, acceptor), "peers-" + transport + "-accept");
        thread.setDaemon(true);
        thread.start();
        return new AcceptThread(thread);
    }

    /** Waits (bounded) for the thread to end after the server channel was closed. */
    public void join(long millis) {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void run(
            String transport, ServerSocketChannel server, Wrapper wrapper, TransportListener.Acceptor acceptor) {
        try {
            acceptUntilClosed(transport, server, wrapper, acceptor);
        } catch (Throwable e) {
            if (server.isOpen()) {
                acceptor.acceptingFailed(e);
            }
        }
    }

    private static void acceptUntilClosed(
            String transport, ServerSocketChannel server, Wrapper wrapper, TransportListener.Acceptor acceptor) {
        while (server.isOpen()) {
            SocketChannel accepted;
            try {
                accepted = server.accept();
            } catch (ClosedChannelException e) {
                return; // closed by the listener, AsynchronousCloseException included
            } catch (IOException e) {
                LOG.warn("accepting a {} connection failed: {}", transport, e.getMessage());
                pause();
                continue;
            }
            TransportChannel channel;
            try {
                channel = wrapper.wrap(accepted);
            } catch (IOException | RuntimeException e) {
                LOG.warn("dropping a {} connection: {}", transport, e.getMessage());
                closeQuietly(accepted);
                continue;
            }
            acceptor.accept(channel);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
