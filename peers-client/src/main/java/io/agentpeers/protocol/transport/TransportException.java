package io.agentpeers.protocol.transport;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** A transport could not bind, connect or talk: the message says where and why, the cause is kept. */
public class TransportException extends PeersException {
    public TransportException(String message) {
        super(ErrorCode.TRANSPORT_FAILURE, message);
    }

    public TransportException(String message, Throwable cause) {
        super(ErrorCode.TRANSPORT_FAILURE, message, cause);
    }
}
