package io.agentpeers.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MCP server ({@link PeersMcp#run}) in this JVM on two pipes, driven as a client would over stdio:
 * newline-delimited JSON-RPC. Every line the server writes is kept, so that a test can check that its
 * output is nothing but the protocol; notifications are queued. {@link #close()} ends stdin, which stops
 * the server.
 */
final class InProcessMcp implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER = Duration.ofSeconds(60);

    private final OutputStream toServer;
    private final CompletableFuture<Integer> exit;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final BlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
    private final Map<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100);

    private InProcessMcp(McpSettings settings, InboxNudger.Timing wakeTiming) throws IOException {
        Pipe stdin = Pipe.open();
        Pipe stdout = Pipe.open();
        toServer = Channels.newOutputStream(stdin.sink());
        OutputStream serverOut = Channels.newOutputStream(stdout.sink());
        exit = CompletableFuture.supplyAsync(() -> {
            try (serverOut) {
                return PeersMcp.run(settings, Channels.newInputStream(stdin.source()), serverOut, wakeTiming);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread reader = new Thread(
                () -> readLoop(new BufferedReader(
                        new InputStreamReader(Channels.newInputStream(stdout.source()), StandardCharsets.UTF_8))),
                "in-process-mcp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static InProcessMcp start(McpSettings settings) throws IOException {
        return new InProcessMcp(settings, InboxNudger.Timing.DEFAULT);
    }

    /** A server whose session inbox wake is paced by {@code wakeTiming} (shorter than in production). */
    static InProcessMcp start(McpSettings settings, InboxNudger.Timing wakeTiming) throws IOException {
        return new InProcessMcp(settings, wakeTiming);
    }

    private void readLoop(BufferedReader reader) {
        try (reader) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // kept in lines; the test that checks them fails
                }
                if (node.has("id") && (node.has("result") || node.has("error"))) {
                    CompletableFuture<JsonNode> reply =
                            replies.get(node.get("id").asLong());
                    if (reply != null) {
                        reply.complete(node);
                    }
                } else if (node.has("method")) {
                    notifications.add(node);
                }
            }
        } catch (IOException e) {
            // the server closed its end
        }
    }

    /** Sends {@code initialize} (with the channel capability) and {@code notifications/initialized}. */
    JsonNode initialize() throws Exception {
        ObjectNode params = JSON.createObjectNode().put("protocolVersion", "2025-06-18");
        params.putObject("capabilities").putObject("experimental").putObject("claude/channel");
        params.putObject("clientInfo").put("name", "in-process-test").put("version", "1");
        JsonNode result = request("initialize", params);
        send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        return result;
    }

    /** A request's whole answer: {@code result} or {@code error}. */
    JsonNode answer(String method, JsonNode params) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ObjectNode request =
                JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        request.set("params", params);
        send(request);
        return reply.get(ANSWER.toSeconds(), TimeUnit.SECONDS);
    }

    JsonNode request(String method, JsonNode params) throws Exception {
        JsonNode answer = answer(method, params);
        if (answer.has("error")) {
            throw new IllegalStateException(method + " failed: " + answer.get("error"));
        }
        return answer.get("result");
    }

    /** Calls a tool; returns its result ({@code content}, {@code isError}). */
    JsonNode call(String tool, Map<String, Object> arguments) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.set("arguments", JSON.valueToTree(arguments));
        return request("tools/call", params);
    }

    /** Calls a tool as Codex does, its thread named in {@code _meta}; returns the result's text (not an error). */
    String okInThread(String tool, Map<String, Object> arguments, String thread) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.set("arguments", JSON.valueToTree(arguments));
        params.putObject("_meta").put("threadId", thread).put("sessionId", thread);
        JsonNode result = request("tools/call", params);
        if (result.path("isError").asBoolean()) {
            throw new AssertionError(tool + " failed: " + textOf(result));
        }
        return textOf(result);
    }

    /** The text of a tool's result that must not be an error. */
    String ok(String tool, Map<String, Object> arguments) throws Exception {
        JsonNode result = call(tool, arguments);
        if (result.path("isError").asBoolean()) {
            throw new AssertionError(tool + " failed: " + textOf(result));
        }
        return textOf(result);
    }

    static String textOf(JsonNode result) {
        StringBuilder text = new StringBuilder();
        result.path("content").forEach(c -> text.append(c.path("text").asText()));
        return text.toString();
    }

    /** Writes raw bytes to the server's stdin, as a broken or hostile client might. */
    synchronized void sendRaw(byte[] bytes) throws IOException {
        toServer.write(bytes);
        toServer.flush();
    }

    private synchronized void send(JsonNode message) throws IOException {
        toServer.write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        toServer.flush();
    }

    /** The next notification with this method, or null after the timeout. */
    JsonNode awaitNotification(String method, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            JsonNode next = notifications.poll(left, TimeUnit.NANOSECONDS);
            if (next != null && method.equals(next.path("method").asText())) {
                return next;
            }
        }
    }

    List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** Ends stdin and returns the server's exit code once it stopped. */
    int stop() throws Exception {
        try {
            toServer.close();
        } catch (IOException e) {
            // already closed
        }
        return exit.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
