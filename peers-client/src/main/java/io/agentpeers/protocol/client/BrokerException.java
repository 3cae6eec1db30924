package io.agentpeers.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;
import io.agentpeers.protocol.wire.JsonRpcError;

/**
 * A failure the broker reported that has no type of its own on this side: an {@code internal_error}
 * (a bug in the broker), or a code this client does not know (a newer broker's). Every other code
 * arrives as its own type ({@link BrokerErrors}). {@link #code()} is the string the broker sent.
 */
public class BrokerException extends PeersException {
    private final int rpcCode;
    private final String wireCode;
    private final transient JsonNode data;

    /** @param error the error as the broker sent it; its code, number and data are kept */
    public BrokerException(JsonRpcError error) {
        super(error.dataCode().flatMap(ErrorCode::fromWireName).orElse(ErrorCode.UNKNOWN), error.message());
        this.rpcCode = error.code();
        this.wireCode = error.dataCode().orElse(ErrorCode.UNKNOWN.wireName());
        this.data = error.data();
    }

    /** The code as the broker sent it, also when this client does not know it. */
    @Override
    public String code() {
        return wireCode;
    }

    /** The JSON-RPC error number. */
    public int rpcCode() {
        return rpcCode;
    }

    /** The error's {@code data} as sent; may be null. */
    public JsonNode data() {
        return data;
    }
}
