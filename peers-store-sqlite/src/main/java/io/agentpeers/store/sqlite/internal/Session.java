package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.port.PeerStore.StoreWork;
import org.jdbi.v3.core.Handle;

/**
 * One long-lived connection with its DAOs attached once. Not thread-safe: the store lends it to one
 * thread at a time. Transactions are begun and ended with plain SQL rather than JDBC's auto-commit
 * switch, which in sqlite-jdbc opens a fresh transaction after every commit.
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
     * Runs {@code work} between {@code begin} and COMMIT; rolls back and rethrows what the work threw,
     * unchanged. Failures of BEGIN and COMMIT come out as {@link io.agentpeers.core.StoreException}s.
     */
    public <T> T inTransaction(String begin, StoreWork<T> work) {
        direct.control(begin);
        SqliteTransaction tx = new SqliteTransaction(peers, messages, claims, direct);
        T result;
        try {
            result = work.run(tx);
        } catch (Throwable e) {
            tx.end();
            direct.rollbackQuietly(e);
            throw e;
        }
        tx.end();
        try {
            direct.control("COMMIT");
        } catch (RuntimeException e) {
            direct.rollbackQuietly(e);
            throw e;
        }
        return result;
    }

    /**
     * Runs {@code work} with writes refused by SQLite ({@code PRAGMA query_only}), inside whatever
     * transaction is open or none; the previous setting is restored.
     */
    public <T> T readOnly(StoreWork<T> work) {
        boolean wasQueryOnly =
                handle.createQuery("PRAGMA query_only").mapTo(Integer.class).one() != 0;
        if (!wasQueryOnly) {
            handle.execute("PRAGMA query_only = 1");
        }
        SqliteTransaction tx = new SqliteTransaction(peers, messages, claims, direct);
        try {
            return work.run(tx);
        } finally {
            tx.end();
            if (!wasQueryOnly) {
                handle.execute("PRAGMA query_only = 0");
            }
        }
    }

    @Override
    public void close() {
        direct.close();
        handle.close();
    }
}
