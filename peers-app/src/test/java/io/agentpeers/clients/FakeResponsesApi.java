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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted model behind OpenAI's Responses API ({@code POST /v1/responses}, streamed as server-sent events),
 * on loopback: the answer to the n-th request is the n-th step, a call of an MCP tool or a last message, or
 * what a {@link Responder} makes of the request. Codex
 * 0.171.0 speaks this API (it has no chat-completions wire API) and lists each MCP server's tools as a
 * {@code namespace} tool named {@code mcp__<server>}; a call names the tool and its namespace.
 */
final class FakeResponsesApi implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: a tool call (tool and arguments), or the final text when {@code tool} is null. */
    record Step(String tool, Map<String, Object> arguments, String text) {
        static Step call(String tool, Map<String, Object> arguments) {
            return new Step(tool, arguments, null);
        }

        static Step say(String text) {
            return new Step(null, Map.of(), text);
        }
    }

    /** Answers one request (the {@code index}-th) from what it holds. */
    interface Responder {
        Step answer(int index, JsonNode request);
    }

    private final Responder responder;
    private final HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final List<CompletableFuture<Void>> sent;

    private FakeResponsesApi(Responder responder, int steps) throws IOException {
        this.responder = responder;
        this.sent = java.util.stream.IntStream.range(0, steps)
                .mapToObj(i -> new CompletableFuture<Void>())
                .toList();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "fake-responses-api");
            thread.setDaemon(true);
            return thread;
        }));
    }

    static FakeResponsesApi start(List<Step> script) throws IOException {
        List<Step> steps = List.copyOf(script);
        FakeResponsesApi api =
                new FakeResponsesApi((index, request) -> steps.get(Math.min(index, steps.size() - 1)), steps.size());
        api.server.start();
        return api;
    }

    /** A model that answers each request as {@code responder} says. */
    static FakeResponsesApi answering(Responder responder) throws IOException {
        FakeResponsesApi api = new FakeResponsesApi(responder, 0);
        api.server.start();
        return api;
    }

    /** When request {@code index} arrived ({@link System#nanoTime()}). */
    long arrival(int index) {
        return arrivals.get(index);
    }

    /** The index of the first request from {@code from} on that {@code test} accepts, or -1 after {@code timeout}. */
    int await(int from, java.util.function.Predicate<JsonNode> test, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = from;
        while (true) {
            while (next < requests.size()) {
                if (test.test(requests.get(next))) {
                    return next;
                }
                next++;
            }
            if (System.nanoTime() - deadline > 0) {
                return -1;
            }
            Thread.sleep(20);
        }
    }

    /** The text of the last user message in {@code request}'s input, or "" when it has none. */
    static String lastUserText(JsonNode request) {
        String text = "";
        for (JsonNode item : request.path("input")) {
            if ("message".equals(item.path("type").asText())
                    && "user".equals(item.path("role").asText())) {
                StringBuilder parts = new StringBuilder();
                item.path("content")
                        .forEach(part -> parts.append(part.path("text").asText()));
                text = parts.toString();
            }
        }
        return text;
    }

    /** Whether the last item of {@code request}'s input is a user message (a turn's first request). */
    static boolean endsWithUserText(JsonNode request) {
        JsonNode input = request.path("input");
        JsonNode last = input.isEmpty() ? null : input.get(input.size() - 1);
        return last != null
                && "message".equals(last.path("type").asText())
                && "user".equals(last.path("role").asText());
    }

    /** The base URL a provider's {@code base_url} takes. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The call id of step {@code index}, as the client's tool output names it. */
    static String callId(int index) {
        return "call_" + index;
    }

    /** Completes once step {@code index} has been sent to the client. */
    CompletableFuture<Void> sent(int index) {
        return sent.get(index);
    }

    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The text the client sent back as the result of step {@code index}, or null when it sent none. */
    String outputOf(int index) {
        for (JsonNode request : requests) {
            for (JsonNode item : request.path("input")) {
                if ("function_call_output".equals(item.path("type").asText())
                        && callId(index).equals(item.path("call_id").asText())) {
                    JsonNode output = item.path("output");
                    if (output.isTextual()) {
                        return output.asText();
                    }
                    StringBuilder text = new StringBuilder();
                    output.forEach(
                            part -> text.append(part.path("text").asText()).append('\n'));
                    return text.toString();
                }
            }
        }
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())
                    || !exchange.getRequestURI().getPath().endsWith("/responses")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            int index;
            synchronized (this) {
                index = answered.getAndIncrement();
                arrivals.add(System.nanoTime());
                requests.add(request);
            }
            Step step = responder.answer(index, request);
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            String id = "resp_" + index;
            OutputStream out = exchange.getResponseBody();
            event(out, JSON.createObjectNode().put("type", "response.created").set("response", response(id)));
            event(
                    out,
                    JSON.createObjectNode()
                            .put("type", "response.output_item.done")
                            .set("item", item(index, step)));
            ObjectNode done = response(id);
            done.putObject("usage")
                    .put("input_tokens", 1)
                    .put("output_tokens", 1)
                    .put("total_tokens", 2);
            event(out, JSON.createObjectNode().put("type", "response.completed").set("response", done));
            out.flush();
            if (index < sent.size()) {
                sent.get(index).complete(null);
            }
        }
    }

    private static ObjectNode item(int index, Step step) throws IOException {
        ObjectNode item = JSON.createObjectNode();
        if (step.tool() == null) {
            item.put("type", "message").put("role", "assistant").put("id", "msg_" + index);
            item.putArray("content").addObject().put("type", "output_text").put("text", step.text());
            return item;
        }
        return item.put("type", "function_call")
                .put("id", "fc_" + index)
                .put("call_id", callId(index))
                .put("namespace", "mcp__peers")
                .put("name", step.tool())
                .put("arguments", JSON.writeValueAsString(step.arguments()));
    }

    private static ObjectNode response(String id) {
        return JSON.createObjectNode().put("id", id);
    }

    private static void event(OutputStream out, ObjectNode event) throws IOException {
        String text = "event: " + event.path("type").asText() + "\ndata: " + JSON.writeValueAsString(event) + "\n\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
