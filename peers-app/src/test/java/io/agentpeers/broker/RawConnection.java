package io.agentpeers.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.TransportConnector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A connection that writes raw bytes and reads the broker's lines, for tests that break the rules a
 * well-behaved client keeps. A reader thread queues every line; {@link #next} waits a bounded time.
 */
final class RawConnection implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Queued after the last line when the broker closed the connection. */
    private static final String END = "\u0000end";

    private final ClientConnection connection;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    RawConnection(TransportConnector connector) {
        this.connection = connector.connect();
        this.reader = new Thread(this::readLoop, "raw-connection-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    private void readLoop() {
        InputStream in = connection.input();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    lines.add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            // closed by either side: same as the end of the stream here
        } finally {
            lines.add(END);
        }
    }

    RawConnection write(byte[] bytes) throws IOException {
        connection.output().write(bytes);
        connection.output().flush();
        return this;
    }

    /** Writes a line (a newline is added) as UTF-8. */
    RawConnection send(String line) throws IOException {
        return write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The next line from the broker as JSON; fails when none comes within 10 s or the connection ended. */
    JsonNode next() throws IOException, InterruptedException {
        String line = lines.poll(10, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("no line from the broker within 10 s");
        }
        if (line.equals(END)) {
            throw new AssertionError("the broker closed the connection");
        }
        return JSON.readTree(line);
    }

    /** Sends a line and returns the broker's next line. */
    JsonNode call(String line) throws IOException, InterruptedException {
        send(line);
        return next();
    }

    /** Sends {@code hello} (protocol 1) and returns the reply. */
    JsonNode hello(String token) throws IOException, InterruptedException {
        return call("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"hello\",\"params\":{\"protocol\":1,\"client\":\"raw/1\""
                + (token == null ? "" : ",\"token\":\"" + token + "\"") + "}}");
    }

    /** Whether the broker closes the connection within {@code timeout}, with no further line before it. */
    boolean closedWithin(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line != null && !line.equals(END)) {
            throw new AssertionError("expected the connection to close, got: " + line);
        }
        return line != null;
    }

    /** A line, if one arrives within {@code timeout}. */
    Optional<String> poll(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .filter(l -> !l.equals(END));
    }

    @Override
    public void close() {
        connection.close();
    }
}
