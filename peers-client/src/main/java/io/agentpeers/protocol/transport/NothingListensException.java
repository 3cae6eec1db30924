package io.agentpeers.protocol.transport;

/**
 * Nothing listens at the address: no socket file, a stale one, or a refused TCP connection. Unlike the other
 * transport failures (another user's broker, a path too long), starting a broker there is the fix.
 */
public class NothingListensException extends TransportException {
    /** @param message where nothing listens */
    public NothingListensException(String message) {
        super(message);
    }

    /**
     * @param message where nothing listens
     * @param cause   the refusal
     */
    public NothingListensException(String message, Throwable cause) {
        super(message, cause);
    }
}
