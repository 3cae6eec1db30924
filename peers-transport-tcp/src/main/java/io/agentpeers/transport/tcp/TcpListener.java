package io.agentpeers.transport.tcp;

import io.agentpeers.protocol.transport.AcceptThread;
import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a TCP address. The kernel tells nothing about who connects, so every connection is
 * unverified and must present the broker's token ({@link TokenFile}) in {@code hello}.
 *
 * <p>Accepts on a thread of its own ({@link AcceptThread}). Binding an address that is not loopback
 * is allowed (the user named it) and logged as a warning.
 */
public final class TcpListener implements TransportListener {
    public static final String TRANSPORT = "tcp";
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    private final TcpAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ServerSocketChannel channel;
    private volatile InetSocketAddress bound;
    private volatile AcceptThread acceptThread;

    /**
     * A listener that will bind {@code address} (port 0: a free one, see {@link #boundAddress()}); nothing is
     * bound until {@link #start}.
     */
    public TcpListener(TcpAddress address) {
        this.address = Objects.requireNonNull(address, "address");
    }

    @Override
    public String transport() {
        return TRANSPORT;
    }

    /** The bound address once bound (with the real port when port 0 was asked), the requested one before. */
    public TcpAddress boundAddress() {
        InetSocketAddress actual = bound;
        return actual == null ? address : new TcpAddress(actual.getAddress().getHostAddress(), actual.getPort());
    }

    @Override
    public String address() {
        return boundAddress().toString();
    }

    @Override
    public synchronized void start(Acceptor acceptor) {
        ServerSocketChannel server = bind();
        acceptThread = AcceptThread.start(TRANSPORT, server, TcpListener::wrap, acceptor);
    }

    private ServerSocketChannel bind() {
        if (closed.get() || channel != null) {
            throw new IllegalStateException("a listener binds once");
        }
        InetSocketAddress target = address.resolve();
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(target, AcceptThread.LISTEN_BACKLOG);
            bound = (InetSocketAddress) server.getLocalAddress();
            if (!target.getAddress().isLoopbackAddress()) {
                LOG.warn(
                        "TCP listener bound to {}, which is not loopback: other machines may connect (with the token)",
                        boundAddress());
            }
            channel = server;
            return server;
        } catch (IOException e) {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new TransportException("cannot listen on TCP " + address + ": " + e.getMessage(), e);
        }
    }

    private static TransportChannel wrap(SocketChannel accepted) {
        String remote;
        try {
            remote = String.valueOf(accepted.getRemoteAddress());
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            remote = "unknown";
        }
        ConnectionIdentity identity = ConnectionIdentity.unverified(TRANSPORT, remote);
        return TransportChannel.ofSocket(accepted, () -> identity, "tcp:" + remote);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ServerSocketChannel server = channel;
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.debug("closing the TCP listener failed", e);
            }
        }
        if (acceptThread != null) {
            acceptThread.join(1000);
        }
    }

    @Override
    public String toString() {
        return "tcp:" + address();
    }
}
