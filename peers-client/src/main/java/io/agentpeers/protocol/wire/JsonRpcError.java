package io.agentpeers.protocol.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.RateLimitedException;
import io.agentpeers.core.UnknownPeerException;
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
    /** {@code data.suggestions} of an {@code unknown_peer}: near ids or names. */
    public static final String SUGGESTIONS = "suggestions";
    /** {@code data.retry_after_ms} of a {@code rate_limited}. */
    public static final String RETRY_AFTER_MS = "retry_after_ms";

    public JsonRpcError {
        Objects.requireNonNull(message, "message");
    }

    /** A parse error (-32700) without {@code data}: the line is not JSON. */
    public static JsonRpcError parseError(String message) {
        return new JsonRpcError(JsonRpc.PARSE_ERROR, message, null);
    }

    /** An invalid request (-32600) without {@code data}: JSON, but not a valid request. */
    public static JsonRpcError invalidRequest(String message) {
        return new JsonRpcError(JsonRpc.INVALID_REQUEST, message, null);
    }

    /** Method not found (-32601) without {@code data}; the message names the method. */
    public static JsonRpcError methodNotFound(String method) {
        return new JsonRpcError(JsonRpc.METHOD_NOT_FOUND, "unknown method: " + method, null);
    }

    /** Invalid params (-32602) without {@code data}. */
    public static JsonRpcError invalidParams(String message) {
        return new JsonRpcError(JsonRpc.INVALID_PARAMS, message, null);
    }

    /** An internal error (-32603) without {@code data}; {@link #internalFailure} adds {@code data.code}. */
    public static JsonRpcError internalError(String message) {
        return new JsonRpcError(JsonRpc.INTERNAL_ERROR, message, null);
    }

    /**
     * The one encoding of a failure for the wire: the JSON-RPC number its code stands for
     * ({@link #numberOf}), {@code data.code} = the code's wire name, and the extra data a client
     * rebuilds the typed exception with ({@link #SUGGESTIONS}, {@link #RETRY_AFTER_MS}).
     */
    public static JsonRpcError of(PeersException e) {
        ObjectNode data = codeData(e.code());
        if (e instanceof UnknownPeerException unknown) {
            ArrayNode suggestions = data.putArray(SUGGESTIONS);
            unknown.suggestions().forEach(suggestions::add);
        }
        if (e instanceof RateLimitedException limited) {
            data.put(RETRY_AFTER_MS, limited.retryAfterMillis());
        }
        int number = e instanceof JsonRpcException rpc ? rpc.error().code() : numberOf(e.errorCode());
        return new JsonRpcError(number, String.valueOf(e.getMessage()), data);
    }

    /** A framing error: too long is an invalid request, bad UTF-8 a parse error; {@code data.code} names it. */
    public static JsonRpcError of(FramingError error, int maxLineBytes) {
        return new JsonRpcError(numberOf(error.errorCode()), error.describe(maxLineBytes), codeData(error.code()));
    }

    /** A bug on the broker's side: -32603 with {@code data.code} {@code internal_error}. */
    public static JsonRpcError internalFailure(String message) {
        return new JsonRpcError(JsonRpc.INTERNAL_ERROR, message, codeData(ErrorCode.INTERNAL_ERROR.wireName()));
    }

    /** The JSON-RPC error number of a code: the standard ones for protocol faults, -32000 for every rule of peers. */
    public static int numberOf(ErrorCode code) {
        return switch (code) {
            case PARSE_ERROR, INVALID_UTF8 -> JsonRpc.PARSE_ERROR;
            case INVALID_REQUEST, LINE_TOO_LONG -> JsonRpc.INVALID_REQUEST;
            case METHOD_NOT_FOUND -> JsonRpc.METHOD_NOT_FOUND;
            case INVALID_PARAMS -> JsonRpc.INVALID_PARAMS;
            case INTERNAL_ERROR -> JsonRpc.INTERNAL_ERROR;
            default -> JsonRpc.PEERS_ERROR;
        };
    }

    /** {@code data.code} when it is a string (peers' own and framing errors). */
    public Optional<String> dataCode() {
        if (data != null && data.path("code").isTextual()) {
            return Optional.of(data.get("code").asText());
        }
        return Optional.empty();
    }

    /** This error as a JSON-RPC error object: {@code code}, {@code message}, and {@code data} when there is one. */
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
