package io.agentpeers.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentpeers.protocol.transport.TransportChannel;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A burst of connects that comes before the broker accepts (the clients of a restarted broker) waits in
 * the listen queue instead of being refused: with junixsocket's default backlog of 50 the 52nd
 * non-blocking connect got EAGAIN, and a blocking one waited for the accept thread.
 */
class ListenBacklogTest {
    private static final int BURST = 300;

    @TempDir
    Path tempDir;

    @Test
    void aBurstOfConnectsWaitsInTheQueueWhileNothingAccepts() throws Exception {
        Assumptions.assumeTrue(somaxconn() >= BURST, "net.core.somaxconn caps the backlog below " + BURST);
        Path socket = tempDir.resolve("peers.sock");
        CountDownLatch release = new CountDownLatch(1);
        List<TransportChannel> accepted = new ArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        try (UnixSocketListener listener = new UnixSocketListener(socket)) {
            // The accept thread takes one connection, then hangs in the acceptor: the others stay queued.
            listener.start(channel -> {
                synchronized (accepted) {
                    accepted.add(channel);
                }
                awaitQuietly(release);
            });
            int connected = 0;
            String firstFailure = null;
            try {
                for (int i = 0; i < BURST; i++) {
                    AFUNIXSocketChannel client = AFUNIXSocketChannel.open();
                    clients.add(client);
                    client.configureBlocking(false);
                    // A Unix socket connects at once or not at all: false is EAGAIN, a full queue
                    // (junixsocket's finishConnect then says true, so it is not asked).
                    if (client.connect(AFUNIXSocketAddress.of(socket))) {
                        connected++;
                    } else if (firstFailure == null) {
                        firstFailure = "connect " + (i + 1) + " found the queue full";
                    }
                }
            } finally {
                release.countDown();
            }
            assertEquals(BURST, connected, "connects that succeeded; " + firstFailure);
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
            synchronized (accepted) {
                for (TransportChannel channel : accepted) {
                    channel.close();
                }
            }
        }
    }

    private static int somaxconn() throws IOException {
        Path limit = Path.of("/proc/sys/net/core/somaxconn");
        // Not readString: it trusts the size a /proc file reports and read "4" of "4096" here.
        return Files.isReadable(limit)
                ? Integer.parseInt(Files.readAllLines(limit).get(0).strip())
                : 4096;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
