package io.agentpeers.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import io.agentpeers.protocol.wire.LineReader;
import io.agentpeers.protocol.wire.LineWriter;
import io.agentpeers.protocol.wire.WireJson;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking line client for the transport contract suite. Every read is bounded: a watchdog closes
 * the connection when no line arrives in time, and the read then fails the test.
 */
public final class TransportTestClient implements AutoCloseable {
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final ClientConnection connection;
    private final LineReader reader;
    private final LineWriter writer;
    private final ScheduledExecutorService watchdog;
    private final AtomicLong ids = new AtomicLong();

    public TransportTestClient(ClientConnection connection, ScheduledExecutorService watchdog) {
        this.connection = connection;
        this.reader = new LineReader(connection.input());
        this.writer = new LineWriter(connection.output());
        this.watchdog = watchdog;
    }

    public void writeLine(String line) throws IOException {
        writer.writeLine(line);
    }

    public void writeRaw(byte[] bytes) throws IOException {
        connection.output().write(bytes);
        connection.output().flush();
    }

    /** Sends a request and returns its id. */
    public long request(String method, JsonNode params) throws IOException {
        long id = ids.incrementAndGet();
        writeLine(JsonRpcRequest.request(id, method, params).toLine());
        return id;
    }

    /** Sends a request and reads until its response (skipping notifications). */
    public JsonNode call(String method, JsonNode params) throws IOException {
        long id = request(method, params);
        for (int i = 0; i < 100_000; i++) {
            JsonNode node = readJson();
            if (node == null) {
                throw new AssertionError("connection closed before the reply to " + method);
            }
            if (node.has("id") && node.get("id").asLong(-1) == id) {
                return node;
            }
        }
        throw new AssertionError("no reply to " + method);
    }

    /** The next line parsed as JSON, or null at the end of the stream. */
    public JsonNode readJson() throws IOException {
        String line = readLine();
        if (line == null) {
            return null;
        }
        try {
            return WireJson.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the server sent a line that is not JSON: " + line, e);
        }
    }

    /** The next line, or null at the end of the stream; fails the test after {@link #READ_TIMEOUT}. */
    public String readLine() throws IOException {
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> timer = watchdog.schedule(
                () -> {
                    fired.set(true);
                    connection.close();
                },
                READ_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            return reader.readLine();
        } catch (IOException e) {
            if (fired.get()) {
                throw new AssertionError("no line within " + READ_TIMEOUT, e);
            }
            throw e;
        } finally {
            timer.cancel(false);
            if (fired.get()) {
                throw new AssertionError("no line within " + READ_TIMEOUT);
            }
        }
    }

    /**
     * True when the server closed the connection: end of stream or a reset, after any remaining lines.
     * Then closes this end too, as a real client does on end of stream.
     */
    public boolean closedByServer() {
        try {
            for (int i = 0; i < 100_000; i++) {
                if (readLine() == null) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            close();
        }
    }

    public ClientConnection connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
    }
}
