package io.agentpeers.core;

/**
 * The store cannot be reached for now (its database server stopped, restarted, or the network to it went):
 * nothing of this request was written, so nothing was acknowledged. Unlike a {@link StoreLostException} it
 * passes: the store reconnects in the background, and the same request succeeds once it is back. On the
 * wire it is {@code store_unavailable}.
 */
public class StoreUnavailableException extends StoreException {
    /** @param message which database, since when, and when the store tries again */
    public StoreUnavailableException(String message) {
        super(ErrorCode.STORE_UNAVAILABLE, message, null);
    }

    /**
     * @param message which database, since when, and when the store tries again
     * @param cause   the driver's report of the lost connection
     */
    public StoreUnavailableException(String message, Throwable cause) {
        super(ErrorCode.STORE_UNAVAILABLE, message, cause);
    }
}
