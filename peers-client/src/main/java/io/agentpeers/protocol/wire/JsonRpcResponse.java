package io.agentpeers.protocol.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC response: exactly one of result and error.
 *
 * @param id     the request's id; JSON null when the request's id could not be read
 * @param result the result (JSON null allowed) when it succeeded, otherwise {@code null}
 * @param error  the error when it failed, otherwise {@code null}
 */
public record JsonRpcResponse(JsonNode id, JsonNode result, JsonRpcError error) {

    public JsonRpcResponse {
        id = id == null ? NullNode.instance : id;
        if ((result == null) == (error == null)) {
            throw new IllegalArgumentException("a response has exactly one of result and error");
        }
    }

    /** A success; a {@code null} result is sent as JSON null, and so is a {@code null} id. */
    public static JsonRpcResponse success(JsonNode id, JsonNode result) {
        return new JsonRpcResponse(id, result == null ? NullNode.instance : result, null);
    }

    /** A failure; a {@code null} id (the request's could not be read) is sent as JSON null. */
    public static JsonRpcResponse failure(JsonNode id, JsonRpcError error) {
        return new JsonRpcResponse(id, null, error);
    }

    /** Whether it carries a result rather than an error. */
    public boolean succeeded() {
        return error == null;
    }

    /** Reads a parsed value as a response. */
    public static JsonRpcResponse fromNode(JsonNode node) {
        if (node == null
                || !node.isObject()
                || !JsonRpc.VERSION.equals(node.path("jsonrpc").asText(null))) {
            throw new JsonRpcException(JsonRpcError.invalidRequest("not a JSON-RPC 2.0 response"), null);
        }
        JsonNode id = node.get("id");
        if (node.has("error")) {
            return failure(id, JsonRpcError.fromNode(node.get("error")));
        }
        if (!node.has("result")) {
            throw new JsonRpcException(JsonRpcError.invalidRequest("a response needs a result or an error"), id);
        }
        return success(id, node.get("result"));
    }

    /** This response as a JSON-RPC 2.0 object: {@code id} and either {@code result} or {@code error}. */
    public ObjectNode toNode() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("jsonrpc", JsonRpc.VERSION);
        node.set("id", id);
        if (error != null) {
            node.set("error", error.toNode());
        } else {
            node.set("result", result);
        }
        return node;
    }

    /** This response as one wire line (without the terminator). */
    public String toLine() {
        return toNode().toString();
    }
}
