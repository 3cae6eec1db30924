package io.agentpeers.core;

/** The store failed (disk, corruption, a database from a newer peers); the cause is kept. */
public class StoreException extends PeersException {
    /**
     * @param message what failed
     * @param cause   the storage library's exception
     */
    public StoreException(String message, Throwable cause) {
        super(ErrorCode.STORE_FAILURE, message, cause);
    }

    /** @param message what failed */
    public StoreException(String message) {
        super(ErrorCode.STORE_FAILURE, message);
    }
}
