package io.agentpeers.transport.tcp.tls;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/**
 * The TLS set-up cannot be used: no authority yet, a file that is missing or not PEM, a key that does not
 * fit. A mistake in the set-up (exit 1 in the CLI), not an unreachable broker.
 */
public class TlsSetupException extends PeersException {
    public TlsSetupException(String message) {
        super(ErrorCode.INVALID_ARGUMENT, message);
    }

    public TlsSetupException(String message, Throwable cause) {
        super(ErrorCode.INVALID_ARGUMENT, message, cause);
    }
}
