package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** A request parameter is missing or of the wrong type (JSON-RPC -32602). */
public class InvalidParamsException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public InvalidParamsException(String message) {
        super(ErrorCode.INVALID_PARAMS, message);
    }
}
