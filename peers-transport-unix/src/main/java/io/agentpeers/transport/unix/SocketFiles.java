package io.agentpeers.transport.unix;

import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.ConnectionRefusedSocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What is at a socket path, for a broker about to listen there and for a client about to start one. */
public final class SocketFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SocketFiles.class);

    private SocketFiles() {}

    /**
     * Tells what is at a socket path: nothing, a live socket, a stale one (nothing answers), or
     * another kind of file. Connects briefly to find out. The broker calls it at start (under its lock)
     * to remove a file left by a crash.
     */
    public static SocketFileState probe(Path path) {
        Path socket = path.toAbsolutePath().normalize();
        try {
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                return SocketFileState.ABSENT;
            }
            if (!UnixSockets.isSocketFile(socket)) {
                return SocketFileState.NOT_A_SOCKET;
            }
        } catch (IOException e) {
            return SocketFileState.LIVE;
        }
        UnixSockets.requireSupported();
        UnixSockets.checkedPath(socket);
        try {
            AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket)).close();
            return SocketFileState.LIVE;
        } catch (ConnectionRefusedSocketException e) {
            return SocketFileState.STALE;
        } catch (IOException e) {
            // Permission denied and the like: something we cannot judge; never remove it.
            LOG.debug("probing {} failed", socket, e);
            return SocketFileState.LIVE;
        }
    }

    /** Removes the socket file at {@code path} if it is {@link SocketFileState#STALE}; true if it did. */
    public static boolean removeIfStale(Path path) {
        if (probe(path) != SocketFileState.STALE) {
            return false;
        }
        try {
            Files.deleteIfExists(path.toAbsolutePath().normalize());
            LOG.info("removed the stale socket file {}", path);
            return true;
        } catch (IOException e) {
            throw new TransportException("cannot remove the stale socket file " + path + ": " + e.getMessage(), e);
        }
    }
}
