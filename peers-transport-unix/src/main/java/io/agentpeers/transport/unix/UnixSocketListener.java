package io.agentpeers.transport.unix;

import io.agentpeers.core.Credentials;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.protocol.transport.AcceptThread;
import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.ConnectionRefusedException;
import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a Unix domain socket file and identifies every caller by the kernel's peer credentials
 * (pid, uid, gid). Callers of another uid than the broker's own are refused.
 *
 * <p>Accepts on a thread of its own ({@link AcceptThread}). Binding creates the parent folder with
 * mode 0700 when it does not exist (an existing one must be private: {@link PrivateFiles}), binds, and
 * sets the socket file to 0600. It fails with a clear message when the path is too long for a socket address, when
 * junixsocket's native library is missing, or when anything is at the path already: a live socket, a
 * stale one (remove it with {@link SocketFiles#removeIfStale} first), or another file. {@link #close()}
 * removes the socket file if it is still the one this listener made.
 *
 * <p>The broker's own uid is the owner of a temporary file it creates at bind time (no {@code /proc}).
 */
public final class UnixSocketListener implements TransportListener {
    public static final String TRANSPORT = "unix";
    private static final Logger LOG = LoggerFactory.getLogger(UnixSocketListener.class);

    private final Path path;
    private final boolean replaceStale;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile AFUNIXServerSocketChannel channel;
    private volatile AcceptThread acceptThread;
    private volatile Object socketFileKey;
    private volatile int ownUid = -1;

    /**
     * A listener that will bind {@code path}. It refuses at bind when anything is there already, a stale
     * socket file included; {@link #replacingStaleFile} removes a stale one.
     */
    public UnixSocketListener(Path path) {
        this(path, false);
    }

    private UnixSocketListener(Path path, boolean replaceStale) {
        this.path = Objects.requireNonNull(path, "path");
        this.replaceStale = replaceStale;
    }

    /**
     * A listener that, at bind, removes a stale socket file (one nothing answers on, as a killed broker
     * leaves); a live one still refuses. The broker binds under its lock, so no two brokers race here.
     */
    public static UnixSocketListener replacingStaleFile(Path path) {
        return new UnixSocketListener(path, true);
    }

    /** The socket file's path as given (not made absolute). */
    public Path path() {
        return path;
    }

    @Override
    public String transport() {
        return TRANSPORT;
    }

    @Override
    public String address() {
        return path.toString();
    }

    /** junixsocket's channels only work with junixsocket's selector. */
    @Override
    public SelectorProvider selectorProvider() {
        return AFUNIXSelectorProvider.provider();
    }

    @Override
    public synchronized void start(Acceptor acceptor) {
        AFUNIXServerSocketChannel server = bind();
        acceptThread = AcceptThread.start(
                TRANSPORT,
                server,
                accepted -> TransportChannel.ofSocket(
                        accepted, () -> identify((AFUNIXSocketChannel) accepted), "unix:" + path),
                acceptor);
    }

    /**
     * Binds the socket file and returns the blocking server channel, without accepting: for a program
     * that answers one connection itself (the class-data training). {@link #close()} still removes the file.
     */
    public synchronized AFUNIXServerSocketChannel bind() {
        if (closed.get() || channel != null) {
            throw new IllegalStateException("a listener binds once");
        }
        UnixSockets.requireSupported();
        Path socket = UnixSockets.checkedPath(path);
        ownUid = currentUid();
        createPrivateParent(socket.getParent());
        if (replaceStale) {
            SocketFiles.removeIfStale(socket);
        }
        // junixsocket would replace an existing socket file, even a live broker's: refuse instead.
        SocketFileState existing = SocketFiles.probe(socket);
        if (existing != SocketFileState.ABSENT) {
            throw new TransportException("cannot listen at " + socket + ": "
                    + switch (existing) {
                        case LIVE -> "a broker already answers there: use it, or stop it with `peers broker stop`";
                        case STALE -> "a stale socket file is there (nothing answers); remove it first";
                        default -> "a file that is not a socket is there";
                    });
        }
        AFUNIXServerSocketChannel server = null;
        try {
            server = AFUNIXServerSocketChannel.open();
            // This listener removes the file itself, and only if it is still ours.
            server.socket().setDeleteOnClose(false);
            server.bind(AFUNIXSocketAddress.of(socket), AcceptThread.LISTEN_BACKLOG);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            socketFileKey = fileKey(socket);
            channel = server;
            return server;
        } catch (IOException e) {
            closeQuietly(server);
            throw new TransportException("cannot listen at " + socket + ": " + e.getMessage(), e);
        }
    }

    private ConnectionIdentity identify(AFUNIXSocketChannel accepted) {
        AFUNIXSocketCredentials credentials;
        try {
            credentials = accepted.getPeerCredentials();
        } catch (IOException e) {
            throw new ConnectionRefusedException(
                    "the broker could not read this connection's credentials: " + e.getMessage());
        }
        long pid = credentials == null ? -1 : credentials.getPid();
        long uid = credentials == null ? -1 : credentials.getUid();
        if (pid <= 0 || uid < 0) {
            throw new ConnectionRefusedException(
                    "the operating system did not name the process on this connection, so the broker cannot identify it");
        }
        if (uid != ownUid) {
            throw new ConnectionRefusedException(
                    "uid " + uid + " may not use this broker: it serves uid " + ownUid + " only");
        }
        return ConnectionIdentity.verified(TRANSPORT, new Credentials(pid, (int) uid, (int) credentials.getGid()));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        AFUNIXServerSocketChannel server = channel;
        if (server == null) {
            return;
        }
        closeQuietly(server);
        if (acceptThread != null) {
            acceptThread.join(1000);
        }
        Path socket = path.toAbsolutePath().normalize();
        try {
            Object key = fileKey(socket);
            if (key != null && key.equals(socketFileKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("could not remove the socket file {}: {}", socket, e.getMessage());
        }
    }

    /** The owner of a file this process creates: its effective uid, on any Unix (no /proc needed). */
    private static int currentUid() {
        try {
            return PrivateFiles.currentUid();
        } catch (IOException | RuntimeException e) {
            throw new TransportException("cannot tell the broker's own uid: " + e.getMessage(), e);
        }
    }

    /** The socket's folder, made 0700 when missing; refused when another user could change it. */
    private static void createPrivateParent(Path parent) {
        if (parent == null) {
            return;
        }
        try {
            PrivateFiles.requireFolder(parent, "PEERS_SOCKET");
        } catch (IOException e) {
            throw new TransportException("cannot create the socket folder " + parent + ": " + e.getMessage(), e);
        }
    }

    private static Object fileKey(Path socket) throws IOException {
        return Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    private static void closeQuietly(AFUNIXServerSocketChannel server) {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the server channel failed", e);
        }
    }

    @Override
    public String toString() {
        return "unix:" + path;
    }
}
