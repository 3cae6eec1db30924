package io.agentpeers.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * An MCP server child process driven over its raw stdio, line by line: every stdout line is kept (so a
 * test can check that each is JSON-RPC) and notifications are queued. Ended by pid in {@link #close()}.
 */
final class RawMcp implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER = Duration.ofSeconds(60);

    private final Process process;
    private final OutputStream stdin;
    private final Path stderr;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final BlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
    private final Map<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100);
    private final List<Long> descendants = new CopyOnWriteArrayList<>();

    private RawMcp(Process process, Path stderr) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.stderr = stderr;
        Thread reader = new Thread(this::readLoop, "raw-mcp-reader-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} (the server, maybe under a wrapper) with the broker's environment. */
    static RawMcp start(List<String> command, Map<String, String> env, Path cwd, Path stderr) throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(cwd.toFile()).redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("PEERS_"));
        builder.environment().putAll(env);
        return new RawMcp(builder.start(), stderr);
    }

    private void readLoop() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
            // the process ended
        }
    }

    /** Sends {@code initialize} and then {@code notifications/initialized}; returns the initialize result. */
    JsonNode initialize() throws Exception {
        ObjectNode params = JSON.createObjectNode().put("protocolVersion", "2025-06-18");
        params.putObject("capabilities").putObject("experimental").putObject("claude/channel");
        params.putObject("clientInfo").put("name", "raw-test").put("version", "1");
        JsonNode result = request("initialize", params);
        send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        return result;
    }

    JsonNode request(String method, JsonNode params) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ObjectNode request =
                JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        request.set("params", params);
        send(request);
        JsonNode answer = reply.get(ANSWER.toSeconds(), TimeUnit.SECONDS);
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

    /** The text of a tool's result. */
    String text(String tool, Map<String, Object> arguments) throws Exception {
        return textOf(call(tool, arguments));
    }

    static String textOf(JsonNode result) {
        StringBuilder text = new StringBuilder();
        result.path("content").forEach(c -> text.append(c.path("text").asText()));
        return text.toString();
    }

    private synchronized void send(JsonNode message) throws IOException {
        stdin.write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
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

    Process process() {
        return process;
    }

    /** Remembers the wrapped JVM's pid (under a shell wrapper) so that close() ends it too. */
    void rememberDescendants() {
        process.toHandle().descendants().forEach(h -> descendants.add(h.pid()));
    }

    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Closes stdin (a clean stop), then ends the process and any remembered descendant by pid. */
    @Override
    public void close() {
        closeStdin();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (long pid : descendants) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
