package io.agentpeers.transport.unix;

import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.NothingListensException;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.ConnectionRefusedSocketException;

/**
 * Connects to a broker's Unix socket. The streams come from junixsocket's socket (not from a channel),
 * so one thread can read while another writes.
 */
public final class UnixSocketConnector implements TransportConnector {
    private final Path path;

    /**
     * A connector to the socket file at {@code path}; the path is checked (short enough, a file there) at
     * each {@link #connect()}, not here.
     */
    public UnixSocketConnector(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    @Override
    public String transport() {
        return UnixSocketListener.TRANSPORT;
    }

    @Override
    public String address() {
        return path.toString();
    }

    @Override
    public ClientConnection connect() {
        UnixSockets.requireSupported();
        Path socket = UnixSockets.checkedPath(path);
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new NothingListensException("no broker is listening at " + socket + " (no socket file)");
        }
        AFUNIXSocket connected;
        try {
            connected = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket));
        } catch (ConnectionRefusedSocketException e) {
            throw new NothingListensException("no broker answers at " + socket + " (the socket file is stale)", e);
        } catch (IOException e) {
            throw new TransportException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
        requireOwnUsersBroker(connected, socket);
        try {
            // Shut both directions before closing: while another thread is blocked reading, junixsocket
            // defers the close of the descriptor, and the broker would not see the connection end.
            AFUNIXSocket socketToClose = connected;
            return new ClientConnection(
                    connected.getInputStream(),
                    connected.getOutputStream(),
                    () -> {
                        try {
                            socketToClose.shutdownOutput();
                            socketToClose.shutdownInput();
                        } catch (IOException alreadyClosed) {
                            // closing anyway
                        }
                        socketToClose.close();
                    },
                    "unix:" + socket);
        } catch (IOException e) {
            try {
                connected.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new TransportException("cannot open the streams of " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * The kernel names the process that listens, as it names each caller to the broker: a socket in a
     * folder another user could write in may be theirs, and a broker of theirs would read everything
     * this client sends and could answer in any peer's name. Root is held to the same rule.
     */
    private static void requireOwnUsersBroker(AFUNIXSocket connected, Path socket) {
        long brokerUid;
        int ownUid;
        try {
            brokerUid = connected.getPeerCredentials().getUid();
            ownUid = PrivateFiles.currentUid();
        } catch (IOException e) {
            closeQuietly(connected);
            throw new TransportException("cannot tell who listens at " + socket + ": " + e.getMessage(), e);
        }
        if (brokerUid != ownUid) {
            closeQuietly(connected);
            throw new TransportException("the process listening at " + socket + " runs as uid " + brokerUid
                    + ", not as you (uid " + ownUid + "): peers talks only to a broker of its own user; check"
                    + " PEERS_HOME and PEERS_SOCKET");
        }
    }

    private static void closeQuietly(AFUNIXSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // refusing it anyway
        }
    }

    @Override
    public String toString() {
        return "unix:" + path;
    }
}
