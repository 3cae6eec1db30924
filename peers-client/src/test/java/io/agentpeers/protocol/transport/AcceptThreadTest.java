package io.agentpeers.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AcceptThreadTest {
    private static final ConnectionIdentity WHO = ConnectionIdentity.unverified("test", "loopback");

    @Test
    void handsEveryAcceptedSocketOverAndEndsWhenTheServerChannelCloses() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        BlockingQueue<TransportChannel> accepted = new LinkedBlockingQueue<>();
        AcceptThread thread = AcceptThread.start(
                "test", server, socket -> TransportChannel.ofSocket(socket, () -> WHO, "test"), accepted::add);

        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port);
                Socket second = new Socket(InetAddress.getLoopbackAddress(), port)) {
            first.getOutputStream().write('x');
            TransportChannel one = accepted.poll(10, TimeUnit.SECONDS);
            TransportChannel two = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(one);
            assertNotNull(two);
            assertTrue(one.duplex());
            assertEquals(WHO, one.identify());
            ByteBuffer buffer = ByteBuffer.allocate(1);
            assertEquals(1, one.read(buffer), "the first socket's byte arrives on the first channel");
            one.close();
            two.close();
        }

        server.close();
        thread.join(5000);
        assertFalse(threadAlive(), "closing the server channel unblocks the accept and ends the thread");
    }

    @Test
    void aWrapperThatFailsDropsThatConnectionOnly() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        BlockingQueue<TransportChannel> accepted = new LinkedBlockingQueue<>();
        int[] seen = {0};
        AcceptThread thread = AcceptThread.start(
                "test",
                server,
                socket -> {
                    if (seen[0]++ == 0) {
                        throw new IOException("the first one cannot be wrapped");
                    }
                    return TransportChannel.ofSocket(socket, () -> WHO, "test");
                },
                accepted::add);
        try (Socket dropped = new Socket(InetAddress.getLoopbackAddress(), port);
                Socket kept = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertEquals(-1, dropped.getInputStream().read(), "the dropped socket is closed");
            TransportChannel channel = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(channel);
            assertEquals(Optional.empty(), channel.identify().credentials());
            channel.close();
        } finally {
            server.close();
            thread.join(5000);
        }
    }

    private static boolean threadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("peers-test-accept") && t.isAlive());
    }

    @Test
    void anAcceptingThreadThatDiesOfAnErrorTellsItsAcceptor() throws Exception {
        AssertionError death = new AssertionError("no wrapper should throw this");
        CompletableFuture<Throwable> told = new CompletableFuture<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            AcceptThread.start(
                    "test",
                    server,
                    socket -> {
                        throw death;
                    },
                    new TransportListener.Acceptor() {
                        @Override
                        public void accept(TransportChannel channel) {}

                        @Override
                        public void acceptingFailed(Throwable cause) {
                            told.complete(cause);
                        }
                    });
            try (Socket client =
                    new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort())) {
                assertSame(death, told.get(10, TimeUnit.SECONDS));
            }
        }
    }
}
