package io.agentpeers.transport.tcp;

import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.NothingListensException;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;

/**
 * Connects to a broker over TCP with a plain {@link Socket}: its streams, unlike those of a JDK socket
 * channel, let one thread read while another writes. The token is the protocol's business ({@code hello}).
 */
public final class TcpConnector implements TransportConnector {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final TcpAddress address;

    /**
     * A connector to {@code address}; the host is resolved at each {@link #connect()}, which waits up to
     * 5 seconds for the connection.
     */
    public TcpConnector(TcpAddress address) {
        this.address = Objects.requireNonNull(address, "address");
    }

    @Override
    public String transport() {
        return TcpListener.TRANSPORT;
    }

    @Override
    public String address() {
        return address.toString();
    }

    @Override
    public ClientConnection connect() {
        Socket socket = connectedSocket(address, "TCP", "--tcp");
        try {
            return new ClientConnection(socket.getInputStream(), socket.getOutputStream(), socket, "tcp:" + address);
        } catch (IOException e) {
            closeQuietly(socket, e);
            throw new TransportException("cannot connect to TCP " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * A socket connected to {@code address}, resolved now, for this connector and {@link TlsConnector}: a name that
     * does not resolve now may resolve later, so that is a transport failure like a refused connect; nothing
     * listening is a {@link NothingListensException} naming the broker option ({@code kind} and {@code option}:
     * "TCP" and "--tcp", "TLS" and "--tls").
     */
    static Socket connectedSocket(TcpAddress address, String kind, String option) {
        InetSocketAddress target;
        try {
            target = address.resolve();
        } catch (InvalidArgumentException e) {
            throw new TransportException("cannot connect to " + kind + " " + address + ": " + e.getMessage(), e);
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(target, (int) CONNECT_TIMEOUT.toMillis());
            return socket;
        } catch (IOException e) {
            closeQuietly(socket, e);
            if (e instanceof ConnectException) {
                throw new NothingListensException(
                        "no broker answers on " + kind + " " + address + " (is it started with " + option + "?)", e);
            }
            throw new TransportException("cannot connect to " + kind + " " + address + ": " + e.getMessage(), e);
        }
    }

    static void closeQuietly(Socket socket, IOException cause) {
        try {
            socket.close();
        } catch (IOException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    @Override
    public String toString() {
        return "tcp:" + address;
    }
}
