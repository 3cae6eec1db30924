package io.agentpeers.protocol.transport;

import io.agentpeers.core.PeersException;

/**
 * A listener refused an accepted connection (another user, no process to name). The server writes
 * the message to the caller as one JSON-RPC error line, then closes the connection.
 */
public class ConnectionRefusedException extends PeersException {
    public static final String CODE = "not_authorized";

    public ConnectionRefusedException(String message) {
        super(CODE, message);
    }
}
