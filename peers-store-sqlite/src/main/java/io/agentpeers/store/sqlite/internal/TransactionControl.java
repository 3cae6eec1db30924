package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * BEGIN, COMMIT and ROLLBACK on one plain JDBC statement kept for the life of its connection. Through
 * Jdbi each set up a statement of its own, about 20 microseconds twice per transaction, and the writer
 * runs a transaction for every few sends.
 */
final class TransactionControl implements AutoCloseable {
    private final Connection connection;
    private Statement statement;

    TransactionControl(Connection connection) {
        this.connection = connection;
    }

    /** Runs {@code sql} ({@code BEGIN ...} or {@code COMMIT}); a failure comes out as a {@link StoreException}. */
    void run(String sql) {
        try {
            statement().execute(sql);
        } catch (SQLException e) {
            throw new StoreException("the store failed to " + sql.toLowerCase(Locale.ROOT) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Rolls back what is open, recording a failure to do so on {@code cause}. */
    void rollbackQuietly(Throwable cause) {
        try {
            statement().execute("ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active" after a failed COMMIT that already ended it, or a dead connection.
            cause.addSuppressed(e);
        }
    }

    private Statement statement() throws SQLException {
        if (statement == null) {
            statement = connection.createStatement();
        }
        return statement;
    }

    @Override
    public void close() {
        if (statement != null) {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // The connection closes next and takes the statement with it.
            }
            statement = null;
        }
    }
}
