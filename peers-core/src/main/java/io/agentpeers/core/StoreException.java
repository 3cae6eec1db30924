package io.agentpeers.core;

/** The store failed (disk, corruption, a database from a newer peers); the cause is kept. */
public class StoreException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "store_failure";

    /**
     * @param message what failed
     * @param cause   the storage library's exception
     */
    public StoreException(String message, Throwable cause) {
        super(CODE, message, cause);
    }

    /** @param message what failed */
    public StoreException(String message) {
        super(CODE, message);
    }
}
