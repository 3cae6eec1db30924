package io.agentpeers.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.MessageTooLargeException;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.FramingException;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcException;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import io.agentpeers.protocol.wire.LineFramer;
import io.agentpeers.protocol.wire.LineReader;
import io.agentpeers.protocol.wire.LineWriter;
import io.agentpeers.protocol.wire.WireJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a broker as JSON-RPC: numbers requests, matches replies to the calls waiting
 * for them (each up to its deadline), hands notifications (pushes) to a listener, and reports once
 * when the connection ends. Errors in replies become the broker's typed exceptions ({@link BrokerErrors}).
 * Knows nothing of peers, registration or reconnecting. Thread-safe; {@link #kill()} is idempotent.
 */
final class RpcSession {
    private static final Logger LOG = LoggerFactory.getLogger(RpcSession.class);

    private final ClientConnection connection;
    private final String address;
    private final LineWriter writer;
    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonRpcResponse>> inflight = new ConcurrentHashMap<>();
    private final AtomicBoolean dead = new AtomicBoolean();
    private final Consumer<JsonRpcRequest> notifications;
    private final BiConsumer<RpcSession, Throwable> onClosed;
    private final Thread reader;

    /**
     * @param address       the broker's address, for messages
     * @param notifications receives each notification, on the reader thread (hand work off quickly)
     * @param onClosed      called once when the connection ends, with the cause or null
     */
    RpcSession(
            ClientConnection connection,
            String address,
            Consumer<JsonRpcRequest> notifications,
            BiConsumer<RpcSession, Throwable> onClosed) {
        this.connection = connection;
        this.address = address;
        this.writer = new LineWriter(connection.output());
        this.notifications = notifications;
        this.onClosed = onClosed;
        this.reader = new Thread(this::readLoop, "peers-client-reader");
        this.reader.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    boolean alive() {
        return !dead.get();
    }

    /**
     * Sends a request and waits for its result until {@code deadlineNanos} ({@link System#nanoTime()}).
     *
     * @throws io.agentpeers.core.PeersException the broker's typed refusal
     * @throws BrokerUnavailableException when the connection breaks or the reply is late
     */
    JsonNode request(String method, JsonNode params, long deadlineNanos) {
        long id = nextId.incrementAndGet();
        CompletableFuture<JsonRpcResponse> reply = new CompletableFuture<>();
        inflight.put(id, reply);
        try {
            if (dead.get()) {
                throw new IOException("connection closed");
            }
            writer.writeLine(
                    fitting(method, JsonRpcRequest.request(id, method, params).toLine()));
            JsonRpcResponse response = reply.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!response.succeeded()) {
                throw BrokerErrors.toException(response.error());
            }
            return response.result();
        } catch (IOException e) {
            throw new BrokerUnavailableException(
                    "the connection to the broker at " + address + " broke during " + method
                            + "; it was maybe not done",
                    e);
        } catch (TimeoutException e) {
            throw new BrokerUnavailableException("the broker did not answer " + method + " in time", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new BrokerUnavailableException("request " + method + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted during " + method, e);
        } finally {
            inflight.remove(id);
        }
    }

    /**
     * The request line, if the broker can read it: a line longer than the protocol's limit would make it
     * close the connection (line too long) instead of answering.
     *
     * @throws MessageTooLargeException for a send or broadcast too large to carry
     * @throws InvalidArgumentException for any other request that large
     */
    private static String fitting(String method, String line) {
        // UTF-8 takes at most three bytes a char here (surrogate pairs: four for two), so short lines fit.
        if (line.length() <= LineFramer.DEFAULT_MAX_LINE_BYTES / 3) {
            return line;
        }
        int bytes = line.getBytes(StandardCharsets.UTF_8).length;
        if (bytes <= LineFramer.DEFAULT_MAX_LINE_BYTES) {
            return line;
        }
        String why = "the request is " + bytes + " bytes and the broker reads lines of at most "
                + LineFramer.DEFAULT_MAX_LINE_BYTES + " bytes";
        if (method.equals("send") || method.equals("broadcast")) {
            throw new MessageTooLargeException("message too large: " + why
                    + " (messages themselves are limited to the broker's max_message_bytes, 64 KiB by default)");
        }
        throw new InvalidArgumentException(why);
    }

    private void readLoop() {
        LineReader lines = new LineReader(connection.input());
        Throwable cause = null;
        try {
            String line;
            while ((line = nextLine(lines)) != null) {
                JsonNode node;
                try {
                    node = WireJson.mapper().readTree(line);
                } catch (IOException e) {
                    LOG.warn("the broker sent a line that is not JSON; ignored");
                    continue;
                }
                route(node);
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
        } finally {
            kill();
            failAll(new BrokerUnavailableException("the connection to the broker at " + address + " closed", cause));
            onClosed.accept(this, cause);
        }
    }

    /**
     * The next line; one that is not UTF-8 is skipped (the reader goes on after it), while a line too long
     * ends the session (nothing more can be read).
     */
    private static String nextLine(LineReader lines) throws IOException {
        while (true) {
            try {
                return lines.readLine();
            } catch (FramingException e) {
                if (e.error() != FramingError.INVALID_UTF8) {
                    throw e;
                }
                LOG.warn("the broker sent a line that is not UTF-8; ignored");
            }
        }
    }

    private void route(JsonNode node) {
        if (node.has("method")) {
            try {
                notifications.accept(JsonRpcRequest.fromNode(node));
            } catch (JsonRpcException e) {
                LOG.warn("the broker sent a malformed notification; ignored: {}", e.getMessage());
            } catch (RuntimeException e) {
                // A notification this client cannot handle must not cost it the connection.
                LOG.warn("a notification could not be handled; ignored", e);
            }
            return;
        }
        JsonRpcResponse response;
        try {
            response = JsonRpcResponse.fromNode(node);
        } catch (JsonRpcException e) {
            LOG.warn("the broker sent a malformed response; ignored: {}", e.getMessage());
            return;
        }
        if (response.id().isIntegralNumber()) {
            CompletableFuture<JsonRpcResponse> reply =
                    inflight.get(response.id().asLong());
            if (reply != null) {
                reply.complete(response);
            }
        } else if (!response.succeeded()) {
            // An error without an id: the broker refused the connection as a whole.
            JsonRpcError error = response.error();
            LOG.warn("the broker refused this connection: {}", error.message());
            failAll(BrokerErrors.toException(error));
        }
    }

    private void failAll(RuntimeException failure) {
        inflight.values().forEach(reply -> reply.completeExceptionally(failure));
    }

    /** Closes the connection; the reader then reports the end. */
    void kill() {
        if (dead.compareAndSet(false, true)) {
            connection.close();
        }
    }
}
