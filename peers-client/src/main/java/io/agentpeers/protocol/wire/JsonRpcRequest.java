package io.agentpeers.protocol.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A JSON-RPC request, or a notification when it has no id (the broker's pushes are notifications).
 *
 * @param id     a string or number node, JSON null, or Java {@code null} for a notification
 * @param method the method name
 * @param params an object or array node, or {@code null} when absent
 */
public record JsonRpcRequest(JsonNode id, String method, JsonNode params) {

    public JsonRpcRequest {
        Objects.requireNonNull(method, "method");
        if (id != null && !(id.isTextual() || id.isIntegralNumber() || id.isNull())) {
            throw new IllegalArgumentException("a JSON-RPC id is a string, an integer or null");
        }
        if (params != null && !(params.isObject() || params.isArray())) {
            throw new IllegalArgumentException("JSON-RPC params are an object or an array");
        }
    }

    /** A request with a numeric id, which its response carries back. */
    public static JsonRpcRequest request(long id, String method, JsonNode params) {
        return new JsonRpcRequest(JsonNodeFactory.instance.numberNode(id), method, params);
    }

    /** A notification: no id, so no response comes. */
    public static JsonRpcRequest notification(String method, JsonNode params) {
        return new JsonRpcRequest(null, method, params);
    }

    /** Whether it has no id at all (Java {@code null}); a request whose id is JSON null is not a notification. */
    public boolean isNotification() {
        return id == null;
    }

    /**
     * Parses one line into a request.
     *
     * @throws JsonRpcException with a parse error for invalid JSON, an invalid request for anything
     *     else wrong (batches included: peers does not support them)
     */
    public static JsonRpcRequest parse(String line) {
        JsonNode node;
        try {
            node = WireJson.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            throw new JsonRpcException(JsonRpcError.parseError("invalid JSON: " + e.getOriginalMessage()), null);
        }
        return fromNode(node);
    }

    /** Reads a parsed value as a request; see {@link #parse(String)}. */
    public static JsonRpcRequest fromNode(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            throw new JsonRpcException(JsonRpcError.parseError("empty line"), null);
        }
        if (node.isArray()) {
            throw new JsonRpcException(JsonRpcError.invalidRequest("batch requests are not supported"), null);
        }
        if (!node.isObject()) {
            throw new JsonRpcException(JsonRpcError.invalidRequest("a request is a JSON object"), null);
        }
        JsonNode id = node.get("id");
        if (id != null && !(id.isTextual() || id.isIntegralNumber() || id.isNull())) {
            throw new JsonRpcException(
                    JsonRpcError.invalidRequest("\"id\" must be a string, an integer or null"), null);
        }
        if (!JsonRpc.VERSION.equals(node.path("jsonrpc").asText(null))) {
            throw new JsonRpcException(JsonRpcError.invalidRequest("\"jsonrpc\" must be \"2.0\""), id);
        }
        JsonNode method = node.get("method");
        if (method == null || !method.isTextual() || method.asText().isEmpty()) {
            throw new JsonRpcException(JsonRpcError.invalidRequest("\"method\" must be a non-empty string"), id);
        }
        JsonNode params = node.get("params");
        if (params != null && !(params.isObject() || params.isArray())) {
            throw new JsonRpcException(JsonRpcError.invalidRequest("\"params\" must be an object or an array"), id);
        }
        return new JsonRpcRequest(id, method.asText(), params);
    }

    /** This request as a JSON-RPC 2.0 object; {@code id} and {@code params} are left out when absent. */
    public ObjectNode toNode() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("jsonrpc", JsonRpc.VERSION);
        if (id != null) {
            node.set("id", id);
        }
        node.put("method", method);
        if (params != null) {
            node.set("params", params);
        }
        return node;
    }

    /** This request as one wire line (without the terminator). */
    public String toLine() {
        return toNode().toString();
    }
}
