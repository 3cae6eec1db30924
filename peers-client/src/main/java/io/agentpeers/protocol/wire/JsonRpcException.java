package io.agentpeers.protocol.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.PeersException;
import java.util.Objects;

/**
 * A line broke JSON-RPC itself (not JSON, not a request, a bad id). Carries the error to answer with
 * and the request id when one could be read. Catch it before {@link PeersException}: its error is
 * not {@link JsonRpc#PEERS_ERROR}.
 */
public class JsonRpcException extends PeersException {
    public static final String CODE = "invalid_json_rpc";

    private final transient JsonRpcError error;
    private final transient JsonNode id;

    public JsonRpcException(JsonRpcError error, JsonNode id) {
        super(CODE, error.message());
        this.error = Objects.requireNonNull(error, "error");
        this.id = id;
    }

    public JsonRpcError error() {
        return error;
    }

    /** The request id to answer with; {@code null} when it could not be read (answer with JSON null). */
    public JsonNode id() {
        return id;
    }
}
