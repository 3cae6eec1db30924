package io.agentpeers.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.server.ConnectionHandler;
import io.agentpeers.broker.server.ServerConnection;
import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcException;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small JSON-RPC handler that the transport contract suite drives a {@code ConnectionServer} with.
 *
 * <p>Methods: {@code echo} (the params back), {@code whoami} (the connection's id and identity),
 * {@code sleep} ({@code millis}, at most 2000, then {@code "slept"}), {@code flood} ({@code bytes} per
 * line, at most {@code lines} notifications until the server refuses one; replies how many were
 * queued), {@code push} ({@code lines} notifications of {@code bytes} each, numbered by {@code seq}, to
 * the open connection {@code to}, until the server refuses one; replies how many were queued). It records
 * opens and closes per connection so tests can check each closes exactly once.
 */
public final class TransportEchoHandler implements ConnectionHandler {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final int maxLineBytes;
    private final Map<Long, AtomicInteger> closes = new ConcurrentHashMap<>();
    private final AtomicInteger opens = new AtomicInteger();
    private final AtomicInteger closeCount = new AtomicInteger();
    private final Map<Long, Integer> floodQueued = new ConcurrentHashMap<>();
    private final Map<Long, ServerConnection> open = new ConcurrentHashMap<>();
    private volatile CountDownLatch sleepStarted = new CountDownLatch(1);

    public TransportEchoHandler(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void onOpen(ServerConnection connection) {
        opens.incrementAndGet();
        open.put(connection.id(), connection);
        // No hello here: every caller is accepted as it is (the suite sets the line limit before hello to the full
        // one).
        connection.authenticated();
    }

    @Override
    public void onLine(ServerConnection connection, String line) {
        JsonRpcRequest request;
        try {
            request = JsonRpcRequest.parse(line);
        } catch (JsonRpcException e) {
            connection.send(JsonRpcResponse.failure(e.id(), e.error()).toLine());
            return;
        }
        JsonNode params = request.params() == null ? JSON.objectNode() : request.params();
        JsonNode result;
        switch (request.method()) {
            case "echo" -> result = params;
            case "whoami" -> result = whoami(connection);
            case "sleep" -> {
                sleepStarted.countDown();
                sleep(Math.min(2000, params.path("millis").asLong(0)));
                result = JSON.textNode("slept");
            }
            case "flood" -> result = JSON.numberNode(flood(connection, params));
            case "push" -> result = JSON.numberNode(push(params));
            default -> {
                reply(connection, request, null, JsonRpcError.methodNotFound(request.method()));
                return;
            }
        }
        reply(connection, request, result, null);
    }

    @Override
    public void onFramingError(ServerConnection connection, FramingError error) {
        connection.send(JsonRpcResponse.failure(null, JsonRpcError.of(error, maxLineBytes))
                .toLine());
    }

    @Override
    public void onClose(ServerConnection connection) {
        open.remove(connection.id());
        closes.computeIfAbsent(connection.id(), id -> new AtomicInteger()).incrementAndGet();
        closeCount.incrementAndGet();
    }

    public int opens() {
        return opens.get();
    }

    public int closeCount() {
        return closeCount.get();
    }

    /** How many times {@code onClose} ran for the connection (0 while open; 1 after, never more). */
    public int closesOf(long connectionId) {
        AtomicInteger count = closes.get(connectionId);
        return count == null ? 0 : count.get();
    }

    public Map<Long, Integer> closesById() {
        Map<Long, Integer> copy = new ConcurrentHashMap<>();
        closes.forEach((id, count) -> copy.put(id, count.get()));
        return copy;
    }

    /** Lines the {@code flood} on a connection queued before the server refused one, or null if it has not ended. */
    public Integer floodQueued(long connectionId) {
        return floodQueued.get(connectionId);
    }

    /** Waits (bounded) until a {@code sleep} call has started on a worker. */
    public boolean awaitSleepStarted(Duration timeout) throws InterruptedException {
        return sleepStarted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static JsonNode whoami(ServerConnection connection) {
        ConnectionIdentity identity = connection.identity();
        ObjectNode node = JSON.objectNode();
        node.put("connection", connection.id());
        node.put("transport", identity.transport());
        node.put("verified", identity.verified());
        node.put("tokenRequired", identity.tokenRequired());
        if (identity.certificate() != null) {
            node.put("certificate", identity.certificate());
        }
        identity.credentials().ifPresent(c -> {
            node.put("pid", c.pid());
            node.put("uid", c.uid());
            node.put("gid", c.gid());
        });
        return node;
    }

    private int flood(ServerConnection connection, JsonNode params) {
        int lines = Math.min(10_000, params.path("lines").asInt(0));
        int bytes = Math.min(512 * 1024, params.path("bytes").asInt(1024));
        String notification = JsonRpcRequest.notification(
                        "flood", JSON.objectNode().put("fill", "x".repeat(bytes)))
                .toLine();
        int queued = 0;
        while (queued < lines && connection.send(notification)) {
            queued++;
        }
        floodQueued.put(connection.id(), queued);
        return queued;
    }

    private int push(JsonNode params) {
        ServerConnection target = open.get(params.path("to").asLong(-1));
        int lines = Math.min(10_000, params.path("lines").asInt(0));
        String fill = "x".repeat(Math.min(512 * 1024, params.path("bytes").asInt(16)));
        int queued = 0;
        while (target != null
                && queued < lines
                && target.send(JsonRpcRequest.notification(
                                "push", JSON.objectNode().put("seq", queued).put("fill", fill))
                        .toLine())) {
            queued++;
        }
        return queued;
    }

    private static void reply(
            ServerConnection connection, JsonRpcRequest request, JsonNode result, JsonRpcError error) {
        if (request.isNotification()) {
            return;
        }
        JsonRpcResponse response = error == null
                ? JsonRpcResponse.success(request.id(), result)
                : JsonRpcResponse.failure(request.id(), error);
        connection.send(response.toLine());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
