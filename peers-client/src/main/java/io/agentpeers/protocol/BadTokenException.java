package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** Over TCP, {@code hello} carried no token or a wrong one; the broker closes the connection. */
public class BadTokenException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public BadTokenException(String message) {
        super(ErrorCode.BAD_TOKEN, message);
    }
}
