package io.agentpeers.transport.tcp.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TlsConnector;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's TLS channel on its own, written the way a connection writes (non-blocking, in slices,
 * again with what is left when the socket takes less): with a tiny send buffer and a client that reads late,
 * records are sent in parts, and every byte still arrives once and in order.
 */
@Timeout(60)
class TlsChannelTest {
    private static final int TOTAL = 3 * 1024 * 1024;
    private static final int SLICE = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void partialRecordWritesLoseAndRepeatNothing() throws Exception {
        TestTls tls = new TestTls(dir);
        byte[] payload = new byte[TOTAL];
        new Random(42).nextBytes(payload);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            TlsConnector connector = new TlsConnector(new TcpAddress("127.0.0.1", port), tls.client("reader"));
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (ClientConnection connection = connector.connect()) {
                    connection.output().write("go\n".getBytes(StandardCharsets.UTF_8));
                    connection.output().flush();
                    Thread.sleep(500); // let the broker's side fill its tiny buffer and write in parts
                    InputStream in = connection.input();
                    return in.readNBytes(TOTAL);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SocketChannel accepted = server.accept()) {
                accepted.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
                accepted.configureBlocking(false);
                SSLEngine engine = tls.server().createSSLEngine();
                engine.setUseClientMode(false);
                engine.setNeedClientAuth(true);
                TlsChannel channel = new TlsChannel(accepted, engine, "tls", "test");

                ByteBuffer input = ByteBuffer.allocate(16);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (input.position() < 3 && System.nanoTime() < deadline) {
                    if (channel.read(input) == 0) {
                        Thread.sleep(1);
                    }
                }
                assertEquals("go\n", new String(input.array(), 0, input.position(), StandardCharsets.UTF_8));
                assertEquals("reader", channel.identifyAfterHandshake().certificate());

                ByteBuffer out = ByteBuffer.wrap(payload);
                int partial = 0;
                while (out.hasRemaining() && System.nanoTime() < deadline) {
                    int slice = Math.min(out.remaining(), SLICE);
                    ByteBuffer part = out.slice().limit(slice);
                    int n = channel.write(part);
                    out.position(out.position() + n);
                    if (n < slice) {
                        partial++;
                        Thread.sleep(1); // where the connection waits for OP_WRITE
                    }
                }
                assertTrue(partial > 0, "the socket must have taken some records in parts");
                assertArrayEquals(payload, received.get(30, TimeUnit.SECONDS));
            }
        }
    }
}
