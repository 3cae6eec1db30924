package io.agentpeers.protocol.client;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** No broker answers, or the connection dropped before the reply came. */
public class BrokerUnavailableException extends PeersException {
    /** @param message what was tried (the broker's address, the method) and what happened */
    public BrokerUnavailableException(String message) {
        super(ErrorCode.BROKER_UNAVAILABLE, message);
    }

    /**
     * @param message what was tried (the broker's address, the method) and what happened
     * @param cause   the I/O failure, timeout or interruption behind it
     */
    public BrokerUnavailableException(String message, Throwable cause) {
        super(ErrorCode.BROKER_UNAVAILABLE, message, cause);
    }
}
