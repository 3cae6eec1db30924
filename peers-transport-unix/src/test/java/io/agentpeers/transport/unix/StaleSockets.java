package io.agentpeers.transport.unix;

import java.io.IOException;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** Makes what a crashed broker leaves behind: a socket file nothing listens on. */
final class StaleSockets {
    private StaleSockets() {}

    static void leaveBehind(Path path) throws IOException {
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
            server.setDeleteOnClose(false);
            server.bind(AFUNIXSocketAddress.of(path));
        }
    }
}
