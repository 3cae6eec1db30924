package io.agentpeers.transport.unix;

import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocket;

/** Checks shared by the listener and the connector, with messages a person can act on. */
final class UnixSockets {
    /** sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSockets() {}

    static void requireSupported() {
        boolean supported;
        try {
            supported = AFUNIXSocket.isSupported();
        } catch (LinkageError e) {
            supported = false;
        }
        if (!supported) {
            throw new TransportException("Unix domain sockets are not available here: junixsocket's native library "
                    + "could not be loaded on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + " (use the TCP transport instead)");
        }
    }

    /** The absolute path, after checking that it fits in a socket address (junixsocket says "No such file" otherwise). */
    static Path checkedPath(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        int length = absolute.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new TransportException("the socket path is " + length + " bytes long, more than the "
                    + MAX_PATH_BYTES + " a Unix socket allows: " + absolute
                    + " (choose a shorter path, e.g. with PEERS_SOCKET)");
        }
        return absolute;
    }

    static boolean isSocketFile(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
    }
}
