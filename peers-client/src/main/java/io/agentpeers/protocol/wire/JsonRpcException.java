package io.agentpeers.protocol.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;
import java.util.Objects;

/**
 * A line broke JSON-RPC itself (not JSON, not a request, a bad id). Carries the error to answer with
 * and the request id when one could be read. Catch it before {@link PeersException}: its error is
 * not {@link JsonRpc#PEERS_ERROR}.
 */
public class JsonRpcException extends PeersException {
    private final transient JsonRpcError error;
    private final transient JsonNode id;

    /**
     * @param error the error to answer with; its {@code data.code}, or else its number, gives {@link #code()}
     * @param id    the request's id when it could be read, else {@code null}
     */
    public JsonRpcException(JsonRpcError error, JsonNode id) {
        super(codeOf(Objects.requireNonNull(error, "error")), error.message());
        this.error = error;
        this.id = id;
    }

    /** The code the error names, or the one its JSON-RPC number stands for. */
    private static ErrorCode codeOf(JsonRpcError error) {
        return error.dataCode().flatMap(ErrorCode::fromWireName).orElseGet(() -> switch (error.code()) {
            case JsonRpc.PARSE_ERROR -> ErrorCode.PARSE_ERROR;
            case JsonRpc.INVALID_REQUEST -> ErrorCode.INVALID_REQUEST;
            case JsonRpc.METHOD_NOT_FOUND -> ErrorCode.METHOD_NOT_FOUND;
            case JsonRpc.INVALID_PARAMS -> ErrorCode.INVALID_PARAMS;
            default -> ErrorCode.INTERNAL_ERROR;
        });
    }

    /** The JSON-RPC error to answer with (on the client side: the one the broker sent). */
    public JsonRpcError error() {
        return error;
    }

    /** The request id to answer with; {@code null} when it could not be read (answer with JSON null). */
    public JsonNode id() {
        return id;
    }
}
