package io.agentpeers.store.sqlite.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * One statement prepared at its first use and kept for the life of its connection. One that failed is
 * closed and prepared afresh at the next use: sqlite-jdbc closes a statement on most errors (a read-only
 * connection's refusal, an I/O error), and a kept one would then fail every later call with "statement
 * is not executing". Not thread-safe, like the connection.
 */
final class CachedStatement implements AutoCloseable {
    private final Connection connection;
    private final String sql;
    private PreparedStatement statement;

    CachedStatement(Connection connection, String sql) {
        this.connection = connection;
        this.sql = sql;
    }

    /** Runs {@code body} on the statement, bound afresh by it. */
    <T> T run(Body<T> body) throws SQLException {
        if (statement == null) {
            statement = connection.prepareStatement(sql);
        }
        try {
            return body.run(statement);
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
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

    @FunctionalInterface
    interface Body<T> {
        T run(PreparedStatement statement) throws SQLException;
    }
}
