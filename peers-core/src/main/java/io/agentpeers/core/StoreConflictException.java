package io.agentpeers.core;

import java.util.Objects;

/**
 * A write the store refused by a rule of its own that another writer of a shared store got to first (two
 * brokers taking one name at once: the unique index of live names decides). It fails the transaction as any
 * store failure does (the writer retries the other units of its batch apart), and the caller is answered
 * with {@link #reported()}, the rule's own error, rather than a store failure.
 */
public class StoreConflictException extends StoreException {
    private final PeersException reported;

    /**
     * @param reported what the caller is answered
     * @param cause    the storage library's exception
     */
    public StoreConflictException(PeersException reported, Throwable cause) {
        super(Objects.requireNonNull(reported, "reported").getMessage(), cause);
        this.reported = reported;
    }

    /** The error the caller is answered with. */
    public PeersException reported() {
        return reported;
    }
}
