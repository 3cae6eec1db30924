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

    /** For a kind of store failure with a code of its own. */
    protected StoreException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
