package io.agentpeers.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.agentpeers.protocol.wire.WireJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Responses with the headers every dashboard answer carries. */
final class HttpReplies {
    /** Scripts and styles from this origin only, no inline code, no frames, no plugins, no form posts away. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private HttpReplies() {}

    static void secure(HttpExchange exchange) {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        headers.set("Cross-Origin-Resource-Policy", "same-origin");
        // Nothing is worth caching at this size, and the token link must never be.
        headers.set("Cache-Control", "no-store");
    }

    static void bytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        secure(exchange);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        bytes(
                exchange,
                status,
                "application/json; charset=utf-8",
                WireJson.mapper().writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"error":{"code":...,"message":...}}}. */
    static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("code", code).put("message", message);
        json(exchange, status, body);
    }

    static void text(HttpExchange exchange, int status, String message) throws IOException {
        bytes(exchange, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        bytes(exchange, 303, "text/plain; charset=utf-8", new byte[0]);
    }
}
