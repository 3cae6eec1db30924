package io.agentpeers.protocol.client;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** No broker answers, or the connection dropped before the reply came. */
public class BrokerUnavailableException extends PeersException {
    public BrokerUnavailableException(String message) {
        super(ErrorCode.BROKER_UNAVAILABLE, message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(ErrorCode.BROKER_UNAVAILABLE, message, cause);
    }
}
