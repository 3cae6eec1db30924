package io.agentpeers.protocol.transport;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** A transport could not bind, connect or talk: the message says where and why, the cause is kept. */
public class TransportException extends PeersException {
    /** @param message where it failed (a path, an address) and why, for a person to act on */
    public TransportException(String message) {
        super(ErrorCode.TRANSPORT_FAILURE, message);
    }

    /**
     * @param message where it failed (a path, an address) and why, for a person to act on
     * @param cause   the I/O or library exception behind it
     */
    public TransportException(String message, Throwable cause) {
        super(ErrorCode.TRANSPORT_FAILURE, message, cause);
    }
}
