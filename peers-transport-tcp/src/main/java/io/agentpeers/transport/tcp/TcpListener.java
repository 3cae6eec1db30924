package io.agentpeers.transport.tcp;

import io.agentpeers.protocol.transport.AcceptThread;
import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.transport.tcp.tls.TlsChannel;
import io.agentpeers.transport.tcp.tls.TlsContexts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a TCP address, in plain text or with TLS ({@link #tls}). The kernel tells nothing about who
 * connects, so every connection is unverified as a process and must present the broker's token
 * ({@link TokenFile}) in {@code hello}; over TLS the caller also presents a client certificate the team's
 * authority signed (mutual TLS 1.3), and is then known by the certificate's name.
 *
 * <p>Accepts on a thread of its own ({@link AcceptThread}). Plain text is for loopback only: the token
 * would cross the network in clear, so binding another address without TLS is refused at start. TLS may
 * bind any address the user names (logged).
 */
public final class TcpListener implements TransportListener {
    public static final String TRANSPORT = "tcp";
    public static final String TLS_TRANSPORT = "tls";
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    private final TcpAddress address;
    private final SSLContext tls;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ServerSocketChannel channel;
    private volatile InetSocketAddress bound;
    private volatile AcceptThread acceptThread;

    /**
     * A listener that will bind {@code address} (port 0: a free one, see {@link #boundAddress()}); nothing is
     * bound until {@link #start}.
     */
    public TcpListener(TcpAddress address) {
        this(address, null);
    }

    private TcpListener(TcpAddress address, SSLContext tls) {
        this.address = Objects.requireNonNull(address, "address");
        this.tls = tls;
    }

    /**
     * A TLS listener: TLS 1.3 only, and every client must present a certificate {@code context} trusts
     * ({@link io.agentpeers.transport.tcp.tls.TlsContexts}: the team's authority, nothing else).
     */
    public static TcpListener tls(TcpAddress address, SSLContext context) {
        return new TcpListener(address, Objects.requireNonNull(context, "context"));
    }

    @Override
    public String transport() {
        return tls == null ? TRANSPORT : TLS_TRANSPORT;
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
        acceptThread = AcceptThread.start(transport(), server, this::wrap, acceptor);
    }

    private ServerSocketChannel bind() {
        if (closed.get() || channel != null) {
            throw new IllegalStateException("a listener binds once");
        }
        InetSocketAddress target = address.resolve();
        if (tls == null && !target.getAddress().isLoopbackAddress()) {
            throw new TransportException("refusing plain TCP on " + address + ", which is not a loopback address: the"
                    + " token would cross the network in clear. Listen with TLS (peers broker run --tls " + address
                    + ", after peers tls init) or on loopback (127.0.0.1)");
        }
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(target, AcceptThread.LISTEN_BACKLOG);
            bound = (InetSocketAddress) server.getLocalAddress();
            if (!target.getAddress().isLoopbackAddress()) {
                LOG.info(
                        "TLS listener bound to {}, which is not loopback: other machines may connect (with a team"
                                + " certificate and the token)",
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

    private TransportChannel wrap(SocketChannel accepted) {
        String remote;
        try {
            remote = String.valueOf(accepted.getRemoteAddress());
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            remote = "unknown";
        }
        String transport = transport();
        // Over TLS the certificate's name is known once the handshake is done (TlsChannel says it then).
        ConnectionIdentity identity = ConnectionIdentity.unverified(transport, remote);
        if (tls == null) {
            return TransportChannel.ofSocket(accepted, () -> identity, "tcp:" + remote);
        }
        SSLEngine engine = tls.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(new String[] {TlsContexts.PROTOCOL});
        engine.setNeedClientAuth(true);
        TlsChannel secured = new TlsChannel(accepted, engine, transport, remote);
        return TransportChannel.ofSecured(accepted, secured, secured::shutdownOutput, () -> identity, "tls:" + remote);
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
        return transport() + ":" + address();
    }
}
