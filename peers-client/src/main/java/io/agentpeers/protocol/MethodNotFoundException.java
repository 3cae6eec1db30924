package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** No method of that name (JSON-RPC -32601). */
public class MethodNotFoundException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public MethodNotFoundException(String message) {
        super(ErrorCode.METHOD_NOT_FOUND, message);
    }
}
