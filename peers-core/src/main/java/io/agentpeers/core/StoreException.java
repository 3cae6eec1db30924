package io.agentpeers.core;

/** The store failed (disk, corruption, a database from a newer peers); the cause is kept. */
public class StoreException extends PeersException {
    public StoreException(String message, Throwable cause) {
        super(ErrorCode.STORE_FAILURE, message, cause);
    }

    public StoreException(String message) {
        super(ErrorCode.STORE_FAILURE, message);
    }
}
