package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** A request before {@code hello}: the first request of a connection must be {@code hello}. */
public class HelloRequiredException extends PeersException {
    public HelloRequiredException(String message) {
        super(ErrorCode.HELLO_REQUIRED, message);
    }
}
