package io.agentpeers.protocol.transport;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/**
 * A listener refused an accepted connection (another user, no process to name). The server writes
 * the message to the caller as one JSON-RPC error line, then closes the connection.
 */
public class ConnectionRefusedException extends PeersException {
    /** @param message why the connection is refused; the caller reads it as the error's message */
    public ConnectionRefusedException(String message) {
        super(ErrorCode.NOT_AUTHORIZED, message);
    }
}
