package io.agentpeers.store.postgres.internal;

import io.agentpeers.core.StoreException;
import io.agentpeers.core.port.PeerStore.StoreWork;
import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;

/**
 * One long-lived connection, never in auto-commit mode, with its DAOs attached once. Not thread-safe:
 * the store lends it to one thread at a time. The driver begins a transaction at the first statement
 * after each commit or rollback, so a unit of work costs no round trip for its BEGIN.
 */
public record Session(Handle handle, PeerDao peers, MessageDao messages, ClaimDao claims, DirectStatements direct)
        implements AutoCloseable {

    public static Session attach(Handle handle) {
        return new Session(
                handle,
                handle.attach(PeerDao.class),
                handle.attach(MessageDao.class),
                handle.attach(ClaimDao.class),
                new DirectStatements(handle.getConnection()));
    }

    /**
     * Runs {@code work} and commits; rolls back and rethrows what the work threw, unchanged. A failure
     * to commit comes out as a {@link StoreException}.
     */
    public <T> T inTransaction(StoreWork<T> work) {
        PostgresTransaction tx = new PostgresTransaction(peers, messages, claims, direct);
        T result;
        try {
            result = work.run(tx);
        } catch (Throwable e) {
            tx.end();
            rollbackQuietly(e);
            throw e;
        }
        tx.end();
        try {
            connection().commit();
        } catch (SQLException e) {
            StoreException failure = new StoreException("the store failed to commit: " + e.getMessage(), e);
            rollbackQuietly(failure);
            throw failure;
        }
        return result;
    }

    /** The connection under the handle. */
    public Connection connection() {
        return handle.getConnection();
    }

    /** Rolls back what is open, recording a failure to do so on {@code cause}. */
    public void rollbackQuietly(Throwable cause) {
        try {
            connection().rollback();
        } catch (SQLException | RuntimeException e) {
            // A dead connection: the server rolls back what it had when the session ends.
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        direct.close();
        try {
            // Nothing is open here (every call commits or rolls back), but a handle refuses to close in a transaction.
            connection().rollback();
            connection().setAutoCommit(true);
        } catch (SQLException ignored) {
            // A dead connection closes all the same.
        }
        handle.close();
    }
}
