package io.agentpeers.broker.dispatch;

import io.agentpeers.core.PeersException;

/** A request parameter is missing or of the wrong type: JSON-RPC -32602. */
final class InvalidParamsException extends PeersException {
    static final String CODE = "invalid_params";

    InvalidParamsException(String message) {
        super(CODE, message);
    }
}
