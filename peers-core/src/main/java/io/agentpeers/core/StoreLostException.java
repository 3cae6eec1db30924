package io.agentpeers.core;

/**
 * The store's files are no longer the ones it opened (deleted, replaced or truncated under it): every
 * write from now on would go where nobody reads it back, so nothing is acknowledged any more. A store
 * that throws it keeps throwing it; a broker that hears it stops, so that its service starts a fresh
 * one. On the wire it is a {@code store_failure} like any other store failure.
 */
public class StoreLostException extends StoreException {
    /** @param message what happened to which file */
    public StoreLostException(String message) {
        super(message);
    }

    /**
     * @param message what happened to which file
     * @param cause   the first report of the loss, for a later refusal
     */
    public StoreLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
