package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** A request before {@code hello}: the first request of a connection must be {@code hello}. */
public class HelloRequiredException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public HelloRequiredException(String message) {
        super(ErrorCode.HELLO_REQUIRED, message);
    }
}
