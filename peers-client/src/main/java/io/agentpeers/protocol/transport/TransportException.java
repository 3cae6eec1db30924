package io.agentpeers.protocol.transport;

import io.agentpeers.core.PeersException;

/** A transport could not bind, connect or talk: the message says where and why, the cause is kept. */
public class TransportException extends PeersException {
    public static final String CODE = "transport_failure";

    public TransportException(String message) {
        super(CODE, message);
    }

    public TransportException(String message, Throwable cause) {
        super(CODE, message, cause);
    }
}
