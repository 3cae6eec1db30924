package io.agentpeers.transport.tcp.tls;

import io.agentpeers.core.InvalidArgumentException;

/**
 * The TLS set-up cannot be used: no authority yet, a file that is missing or not PEM, a key that does not
 * fit. A mistake in the set-up (exit 1 in the CLI), not an unreachable broker.
 */
public class TlsSetupException extends InvalidArgumentException {
    public TlsSetupException(String message) {
        super(message);
    }

    public TlsSetupException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
