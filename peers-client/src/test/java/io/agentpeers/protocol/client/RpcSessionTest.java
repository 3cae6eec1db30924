package io.agentpeers.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.wire.WireJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** One connection's session keeps serving after a line it cannot use; only the end of the stream ends it. */
class RpcSessionTest {

    @Test
    void aLineThatIsNotUtf8AndAFailingNotificationHandlerCostNothing() throws Exception {
        PipedOutputStream brokerOut = new PipedOutputStream();
        PipedInputStream clientIn = new PipedInputStream(brokerOut, 1 << 16);
        PipedOutputStream clientOut = new PipedOutputStream();
        PipedInputStream brokerIn = new PipedInputStream(clientOut, 1 << 16);
        ClientConnection connection = new ClientConnection(
                clientIn,
                clientOut,
                () -> {
                    clientIn.close();
                    clientOut.close();
                },
                "pipes");
        AtomicInteger notifications = new AtomicInteger();
        AtomicReference<Throwable> closed = new AtomicReference<>();
        RpcSession session = new RpcSession(
                connection,
                "pipes",
                notification -> {
                    notifications.incrementAndGet();
                    throw new IllegalStateException("a handler that fails");
                },
                (s, cause) -> closed.set(cause == null ? new Throwable("closed") : cause));
        session.start();

        // The fake broker: a notification, a line of invalid UTF-8, then the answer to the request. Its
        // thread stays until the test is done: a piped stream ends when the thread that wrote it is gone.
        CountDownLatch checked = new CountDownLatch(1);
        CompletableFuture<Void> broker = CompletableFuture.runAsync(() -> {
            try {
                BufferedReader requests = new BufferedReader(new InputStreamReader(brokerIn, StandardCharsets.UTF_8));
                JsonNode request = WireJson.mapper().readTree(requests.readLine());
                OutputStream out = brokerOut;
                out.write(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{}}\n".getBytes(StandardCharsets.UTF_8));
                out.write(new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
                out.write(("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":{\"pong\":true}}\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                checked.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        JsonNode result = session.request("ping", null, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        try {
            assertTrue(result.path("pong").asBoolean(), result::toString);
            assertEquals(1, notifications.get());
            assertTrue(session.alive(), "the session survived both lines");
            assertEquals(null, closed.get());
        } finally {
            checked.countDown();
            broker.get(10, TimeUnit.SECONDS);
            connection.close();
        }
    }
}
