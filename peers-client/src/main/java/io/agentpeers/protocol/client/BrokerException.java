package io.agentpeers.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.PeersException;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker refused a request: {@link #code()} is the stable code of docs/protocol.md (for example
 * {@code unknown_peer}, {@code rate_limited}) and the message is the broker's sentence.
 */
public class BrokerException extends PeersException {
    private final int rpcCode;
    private final transient JsonNode data;

    public BrokerException(int rpcCode, String code, String message, JsonNode data) {
        super(code, message);
        this.rpcCode = rpcCode;
        this.data = data;
    }

    /** The JSON-RPC error code (-32000 for broken rules). */
    public int rpcCode() {
        return rpcCode;
    }

    /** Near names for an {@code unknown_peer}; empty otherwise. */
    public List<String> suggestions() {
        List<String> list = new ArrayList<>();
        if (data != null && data.has("suggestions")) {
            data.get("suggestions").forEach(n -> list.add(n.asText()));
        }
        return list;
    }

    /** For {@code rate_limited}: when to try again, in milliseconds; 0 otherwise. */
    public long retryAfterMillis() {
        return data == null ? 0 : data.path("retry_after_ms").asLong(0);
    }
}
