package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentpeers.protocol.transport.TransportChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A burst of connects that comes before the broker accepts waits in the accept queue: with a full queue
 * Linux drops the SYN and the client retries a second later, so a backlog smaller than the burst costs
 * its clients seconds.
 */
class TcpListenBacklogTest {
    private static final int BURST = 600;

    @Test
    void aBurstOfConnectsWaitsInTheQueueWhileNothingAccepts() throws Exception {
        Assumptions.assumeTrue(somaxconn() >= BURST, "net.core.somaxconn caps the backlog below " + BURST);
        CountDownLatch release = new CountDownLatch(1);
        List<TransportChannel> accepted = new ArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        try (TcpListener listener = new TcpListener(TcpAddress.loopback(0));
                Selector selector = Selector.open()) {
            // The accept thread takes one connection, then hangs in the acceptor: the others stay queued.
            listener.start(channel -> {
                synchronized (accepted) {
                    accepted.add(channel);
                }
                awaitQuietly(release);
            });
            InetSocketAddress address = new InetSocketAddress(
                    TcpAddress.LOOPBACK, listener.boundAddress().port());
            int connected = 0;
            try {
                for (int i = 0; i < BURST; i++) {
                    SocketChannel client = SocketChannel.open();
                    clients.add(client);
                    client.configureBlocking(false);
                    if (client.connect(address)) {
                        connected++;
                    } else {
                        client.register(selector, SelectionKey.OP_CONNECT);
                    }
                }
                // Well below the one second after which a client sends its dropped SYN again.
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700);
                while (connected < BURST && System.nanoTime() < deadline) {
                    selector.select(50);
                    for (SelectionKey key : selector.selectedKeys()) {
                        if (((SocketChannel) key.channel()).finishConnect()) {
                            key.cancel();
                            connected++;
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } finally {
                release.countDown();
            }
            assertEquals(BURST, connected, "connects that completed within 700 ms");
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
