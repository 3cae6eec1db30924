package io.agentpeers.core.port;

/**
 * Where peers and messages live. A store hands out units of work: everything done through one
 * {@link StoreTransaction} commits together or not at all, so the core can commit many sends in
 * one transaction.
 *
 * <p><b>Threading.</b> Implementations are thread-safe. Write transactions ({@link #inTransaction})
 * are serialised; read transactions ({@link #read}) may run concurrently with each other and with a
 * write, and see only committed state.
 *
 * <p><b>Lifecycle.</b> A store is usable after construction (or its factory) returned and until
 * {@link #close()}, which is idempotent.
 *
 * <p><b>Errors.</b> Failures of the underlying storage surface as
 * {@link io.agentpeers.core.StoreException} with the cause kept; no library type crosses this port.
 * An exception thrown by the work rolls its transaction back and propagates unchanged. Once a write
 * transaction returned, what it wrote survives a crash of the process. A store that finds its storage
 * gone from under it (a file deleted, replaced, truncated) throws
 * {@link io.agentpeers.core.StoreLostException} instead of committing, and on every call after.
 * A store whose server cannot be reached for now (a database server stopped, the network to it gone)
 * throws {@link io.agentpeers.core.StoreUnavailableException} at once, without writing, until it has
 * reconnected; a write whose connection broke during its commit throws
 * {@link io.agentpeers.core.CommitInDoubtException}, whose outcome the store completes once it knows.
 */
public interface PeerStore extends AutoCloseable {

    /**
     * Runs {@code work} in one write transaction: commits when it returns, rolls back when it throws.
     *
     * @param <T>  what the work returns
     * @param work the reads and writes to commit together
     * @return what {@code work} returned, once committed
     */
    <T> T inTransaction(StoreWork<T> work);

    /**
     * Runs {@code work} against committed state; {@code work} must not write.
     *
     * @param <T>  what the work returns
     * @param work the reads
     * @return what {@code work} returned
     */
    <T> T read(StoreWork<T> work);

    /**
     * What this store is, for logs and {@code stats}.
     *
     * @return a database path, "in memory", or by default the class's simple name
     */
    default String description() {
        return getClass().getSimpleName();
    }

    /**
     * Whether other brokers write this store too (several brokers on one database). When false (SQLite,
     * memory) this broker sees every write, and the port's methods about other brokers find nothing.
     */
    default boolean shared() {
        return false;
    }

    /**
     * For a {@linkplain #shared() shared} store: calls {@code bell} on a thread of the store's when another
     * broker committed something this broker should hear of (a message to one of its peers, a kill request
     * for one, the answer to a kill request of its own), and every few seconds in case such a signal was
     * missed. The bell only rings: the broker reads the rows ({@link StoreTransaction#remoteMail}, {@link
     * StoreTransaction#takeKillRequests}, {@link StoreTransaction#killOutcomes}). A later call replaces the
     * bell; a store of one broker never rings.
     *
     * @param bell must not throw; may run store transactions (it is the store's own thread, not a lock holder's)
     */
    default void onRemoteCommit(Runnable bell) {}

    /**
     * Calls {@code listener} once, on a thread of the store's, when the store finds by itself (not in a call
     * of the broker's) that it is lost: a shared store whose broker's lease ran out during an outage. Calls
     * after that throw the same {@link io.agentpeers.core.StoreLostException}. A store that finds losses only
     * in calls never calls it.
     *
     * @param listener must return quickly and must not throw
     */
    default void onLost(java.util.function.Consumer<? super io.agentpeers.core.StoreLostException> listener) {}

    /** Releases files and connections; idempotent. */
    @Override
    void close();

    /**
     * A piece of work against one transaction.
     *
     * @param <T> what the work returns
     */
    @FunctionalInterface
    interface StoreWork<T> {
        /** Does the work through {@code tx}, which is valid only during this call. */
        T run(StoreTransaction tx);
    }
}
