package io.agentpeers.protocol.client;

import io.agentpeers.core.PeersException;

/** No broker answers, or the connection dropped before the reply came. */
public class BrokerUnavailableException extends PeersException {
    public static final String CODE = "broker_unavailable";

    public BrokerUnavailableException(String message) {
        super(CODE, message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(CODE, message, cause);
    }
}
