package io.agentpeers.core;

/** The store failed (disk, corruption, a database from a newer peers); the cause is kept. */
public class StoreException extends PeersException {
    public static final String CODE = "store_failure";

    public StoreException(String message, Throwable cause) {
        super(CODE, message, cause);
    }

    public StoreException(String message) {
        super(CODE, message);
    }
}
