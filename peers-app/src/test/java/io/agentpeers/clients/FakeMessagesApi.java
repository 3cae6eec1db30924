package io.agentpeers.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A scripted model behind Anthropic's Messages API on loopback, for Claude Code ({@code ANTHROPIC_BASE_URL}).
 * {@code POST /v1/messages} (Claude Code adds {@code ?beta=true} and asks for a stream) is answered by the
 * test's {@code model} function, streamed as server-sent events the way the API does: {@code message_start},
 * one {@code content_block_start}/{@code _delta}/{@code _stop}, {@code message_delta} with the stop reason,
 * {@code message_stop}; a request without {@code stream} gets the same message as one JSON body. Everything
 * else Claude Code 2.1.332 calls gets a harmless answer: {@code count_tokens} a count, its {@code HEAD
 * /api/hello} probe and any other request an empty 200.
 *
 * <p>Every messages request is kept with the {@link System#nanoTime()} it arrived at; {@link #await} waits
 * for one that matches. Thread-safe: the server answers on its own daemon threads.
 */
final class FakeMessagesApi implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: a tool call (tool, input and the id the client's tool_result will name), or the final text. */
    record Answer(String tool, Map<String, Object> input, String id, String text) {
        static Answer call(String tool, Map<String, Object> input, String id) {
            return new Answer(tool, input, id, null);
        }

        static Answer say(String text) {
            return new Answer(null, Map.of(), null, text);
        }
    }

    /** A messages request as it arrived, with the answer it got. */
    record Received(int index, long nanos, JsonNode body, Answer answer) {
        /** Whether this is a turn of the session: the main loop sends its tools; side requests (a title) send none. */
        boolean main() {
            return body.path("tools").size() > 0;
        }

        /** The names of the tools the request offers, whose schemas the model can see. */
        List<String> tools() {
            List<String> names = new ArrayList<>();
            body.path("tools").forEach(tool -> names.add(tool.path("name").asText()));
            return names;
        }

        /** The text of the last message with role user: its text parts and any tool result's text. */
        String lastUserText() {
            JsonNode messages = body.path("messages");
            for (int i = messages.size() - 1; i >= 0; i--) {
                JsonNode message = messages.get(i);
                if ("user".equals(message.path("role").asText())) {
                    return text(message.path("content"));
                }
            }
            return "";
        }

        /** The text of the tool result for the call {@code id} in the last user message, or null. */
        String toolResult(String id) {
            JsonNode messages = body.path("messages");
            for (int i = messages.size() - 1; i >= 0; i--) {
                JsonNode message = messages.get(i);
                if (!"user".equals(message.path("role").asText())) {
                    continue;
                }
                for (JsonNode part : message.path("content")) {
                    if ("tool_result".equals(part.path("type").asText())
                            && id.equals(part.path("tool_use_id").asText())) {
                        return text(part.path("content"));
                    }
                }
                return null;
            }
            return null;
        }

        /** The id of the last tool result in the last user message, or null. */
        String lastToolResultId() {
            JsonNode messages = body.path("messages");
            for (int i = messages.size() - 1; i >= 0; i--) {
                JsonNode message = messages.get(i);
                if (!"user".equals(message.path("role").asText())) {
                    continue;
                }
                String id = null;
                for (JsonNode part : message.path("content")) {
                    if ("tool_result".equals(part.path("type").asText())) {
                        id = part.path("tool_use_id").asText();
                    }
                }
                return id;
            }
            return null;
        }

        private static String text(JsonNode content) {
            if (content.isTextual()) {
                return content.asText();
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (part.has("text")) {
                    text.append(part.path("text").asText()).append('\n');
                } else if (part.has("content")) {
                    text.append(text(part.path("content"))).append('\n');
                }
            }
            return text.toString();
        }
    }

    private final Function<Received, Answer> model;
    private final HttpServer server;
    private final ExecutorService threads;
    private final List<Received> received = new ArrayList<>(); // guarded by this

    private FakeMessagesApi(Function<Received, Answer> model) throws IOException {
        this.model = model;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        threads = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "fake-messages-api");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
    }

    /** Starts the server; {@code model} answers each messages request (it sees it without an answer yet). */
    static FakeMessagesApi start(Function<Received, Answer> model) throws IOException {
        FakeMessagesApi api = new FakeMessagesApi(model);
        api.server.start();
        return api;
    }

    /** What {@code ANTHROPIC_BASE_URL} takes. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /**
     * The first request from index {@code from} on that matches, waiting up to {@code timeoutMillis} for it;
     * null when none came in time.
     */
    synchronized Received await(int from, Predicate<Received> matches, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int next = from;
        while (true) {
            for (; next < received.size(); next++) {
                if (matches.test(received.get(next))) {
                    return received.get(next);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("POST".equals(method) && path.endsWith("/messages/count_tokens")) {
                exchange.getRequestBody().readAllBytes();
                json(exchange, JSON.createObjectNode().put("input_tokens", 1));
                return;
            }
            if (!"POST".equals(method) || !path.endsWith("/v1/messages")) {
                exchange.getRequestBody().readAllBytes();
                if ("HEAD".equals(method)) {
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    json(exchange, JSON.createObjectNode());
                }
                return;
            }
            long nanos = System.nanoTime();
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            int index;
            Answer answer;
            synchronized (this) { // the index is the request's place in received()
                index = received.size();
                answer = model.apply(new Received(index, nanos, body, null));
                received.add(new Received(index, nanos, body, answer));
                notifyAll();
            }
            String id = "msg_" + index;
            String modelName = body.path("model").asText("fake-model");
            if (!body.path("stream").asBoolean(false)) {
                ObjectNode message = message(id, modelName);
                message.set("content", JSON.createArrayNode().add(block(answer, true)));
                message.put("stop_reason", answer.tool() == null ? "end_turn" : "tool_use");
                json(exchange, message);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().add("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            event(out, "message_start", JSON.createObjectNode().set("message", message(id, modelName)));
            event(
                    out,
                    "content_block_start",
                    JSON.createObjectNode().put("index", 0).set("content_block", block(answer, false)));
            ObjectNode delta = JSON.createObjectNode();
            if (answer.tool() == null) {
                delta.put("type", "text_delta").put("text", answer.text());
            } else {
                delta.put("type", "input_json_delta").put("partial_json", JSON.writeValueAsString(answer.input()));
            }
            event(
                    out,
                    "content_block_delta",
                    JSON.createObjectNode().put("index", 0).set("delta", delta));
            event(out, "content_block_stop", JSON.createObjectNode().put("index", 0));
            ObjectNode stop = JSON.createObjectNode();
            stop.putObject("delta")
                    .put("stop_reason", answer.tool() == null ? "end_turn" : "tool_use")
                    .putNull("stop_sequence");
            stop.putObject("usage").put("output_tokens", 1);
            event(out, "message_delta", stop);
            event(out, "message_stop", JSON.createObjectNode());
            out.flush();
        }
    }

    private static ObjectNode message(String id, String model) {
        ObjectNode message = JSON.createObjectNode()
                .put("id", id)
                .put("type", "message")
                .put("role", "assistant")
                .put("model", model);
        message.putArray("content");
        message.putNull("stop_reason").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", 1).put("output_tokens", 1);
        return message;
    }

    /** The content block; streamed, a tool call starts with empty input and text starts empty (the deltas add them). */
    private static ObjectNode block(Answer answer, boolean whole) {
        ObjectNode block = JSON.createObjectNode();
        if (answer.tool() == null) {
            return block.put("type", "text").put("text", whole ? answer.text() : "");
        }
        block.put("type", "tool_use").put("id", answer.id()).put("name", answer.tool());
        if (whole) {
            block.set("input", JSON.valueToTree(answer.input()));
        } else {
            block.putObject("input");
        }
        return block;
    }

    private static void json(HttpExchange exchange, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void event(OutputStream out, String type, ObjectNode data) throws IOException {
        data.put("type", type);
        String text = "event: " + type + "\ndata: " + JSON.writeValueAsString(data) + "\n\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
