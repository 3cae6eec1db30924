package io.agentpeers.protocol.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.PeersException;
import java.util.Objects;
import java.util.Optional;

/**
 * A JSON-RPC error object.
 *
 * @param code    one of the {@link JsonRpc} codes
 * @param message one sentence a person can act on
 * @param data    extra detail or {@code null}; for peers' own errors an object whose {@code code} field
 *                is the stable error code string
 */
public record JsonRpcError(int code, String message, JsonNode data) {

    public JsonRpcError {
        Objects.requireNonNull(message, "message");
    }

    public static JsonRpcError parseError(String message) {
        return new JsonRpcError(JsonRpc.PARSE_ERROR, message, null);
    }

    public static JsonRpcError invalidRequest(String message) {
        return new JsonRpcError(JsonRpc.INVALID_REQUEST, message, null);
    }

    public static JsonRpcError methodNotFound(String method) {
        return new JsonRpcError(JsonRpc.METHOD_NOT_FOUND, "unknown method: " + method, null);
    }

    public static JsonRpcError invalidParams(String message) {
        return new JsonRpcError(JsonRpc.INVALID_PARAMS, message, null);
    }

    public static JsonRpcError internalError(String message) {
        return new JsonRpcError(JsonRpc.INTERNAL_ERROR, message, null);
    }

    /** A peers rule was broken: code {@link JsonRpc#PEERS_ERROR}, {@code data.code} = the exception's code. */
    public static JsonRpcError of(PeersException e) {
        return new JsonRpcError(JsonRpc.PEERS_ERROR, String.valueOf(e.getMessage()), codeData(e.code()));
    }

    /** A framing error: too long is an invalid request, bad UTF-8 a parse error; {@code data.code} names it. */
    public static JsonRpcError of(FramingError error, int maxLineBytes) {
        int code = error == FramingError.LINE_TOO_LONG ? JsonRpc.INVALID_REQUEST : JsonRpc.PARSE_ERROR;
        return new JsonRpcError(code, error.describe(maxLineBytes), codeData(error.code()));
    }

    /** {@code data.code} when it is a string (peers' own and framing errors). */
    public Optional<String> dataCode() {
        if (data != null && data.path("code").isTextual()) {
            return Optional.of(data.get("code").asText());
        }
        return Optional.empty();
    }

    public ObjectNode toNode() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("code", code);
        node.put("message", message);
        if (data != null) {
            node.set("data", data);
        }
        return node;
    }

    /** Reads an error object; lenient about a missing message, strict about a missing code. */
    public static JsonRpcError fromNode(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("code").isIntegralNumber()) {
            throw new JsonRpcException(invalidRequest("an error object needs an integer code"), null);
        }
        JsonNode data = node.get("data");
        return new JsonRpcError(node.get("code").asInt(), node.path("message").asText(""), data);
    }

    private static ObjectNode codeData(String code) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("code", code);
        return data;
    }
}
