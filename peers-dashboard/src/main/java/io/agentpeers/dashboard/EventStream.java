package io.agentpeers.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.agentpeers.protocol.wire.WireJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One browser's server-sent event stream, written by the HTTP thread that serves it. Events are queued by
 * the broker's push thread, which never waits: a browser that falls {@link #CAPACITY} events behind is
 * cut off, and its EventSource reconnects and starts again from a fresh snapshot.
 */
final class EventStream {
    static final int CAPACITY = 2_000;
    /** A comment line this often keeps proxies and the browser from calling the stream dead. */
    static final long KEEPALIVE_MILLIS = 15_000;

    private static final String CLOSE = "close";

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private volatile boolean overflowed;

    /** Queues one event's {@link #frame}; never blocks. */
    void offer(String frame) {
        if (overflowed) {
            return;
        }
        if (!queue.offer(frame)) {
            overflowed = true;
            queue.clear();
            queue.offer(CLOSE);
        }
    }

    /** Ends the stream (the dashboard stops). */
    void end() {
        queue.clear();
        queue.offer(CLOSE);
    }

    /** Writes {@code first}, then every queued event, until the browser leaves or the stream ends. */
    void serve(HttpExchange exchange, String first) throws IOException, InterruptedException {
        HttpReplies.secure(exchange);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(("retry: 2000\n" + first).getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String next = queue.poll(KEEPALIVE_MILLIS, TimeUnit.MILLISECONDS);
                if (next == CLOSE) {
                    return;
                }
                out.write((next == null ? ": keepalive\n\n" : next).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    /** An SSE frame: JSON has no raw newline, so one data line carries it. */
    static String frame(String type, JsonNode data) {
        try {
            return "event: " + type + "\ndata: " + WireJson.mapper().writeValueAsString(data) + "\n\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a dashboard event", e);
        }
    }
}
