package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Locale;

/**
 * The statements of every send, on plain JDBC, each prepared once for the life of its connection:
 * BEGIN, COMMIT and ROLLBACK, and the insert of a message. Through Jdbi each call set up a statement of
 * its own (the insert also parsed its named parameters): 38 of the 40 microseconds an insert took in
 * batches of 16, and about 20 microseconds twice per transaction. The writer thread runs all of them
 * and bounds the send rate. Not thread-safe, like the connection.
 */
final class DirectStatements implements AutoCloseable {
    private static final String INSERT_MESSAGE = "INSERT INTO messages"
            + " (sender_id, recipient_id, text, reply_to, sent_at, state)"
            + " VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id";

    private final Connection connection;
    private Statement control;
    private PreparedStatement insertMessage;

    DirectStatements(Connection connection) {
        this.connection = connection;
    }

    /** Runs {@code sql} ({@code BEGIN ...} or {@code COMMIT}); a failure comes out as a {@link StoreException}. */
    void control(String sql) {
        try {
            control().execute(sql);
        } catch (SQLException e) {
            throw new StoreException("the store failed to " + sql.toLowerCase(Locale.ROOT) + ": " + e.getMessage(), e);
        }
    }

    /** Rolls back what is open, recording a failure to do so on {@code cause}. */
    void rollbackQuietly(Throwable cause) {
        try {
            control().execute("ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active" after a failed COMMIT that already ended it, or a dead connection.
            cause.addSuppressed(e);
        }
    }

    /** Inserts a pending message; returns its id. */
    long insertMessage(String senderId, String recipientId, String text, Long replyTo, long sentAt)
            throws SQLException {
        if (insertMessage == null) {
            insertMessage = connection.prepareStatement(INSERT_MESSAGE);
        }
        insertMessage.setString(1, senderId);
        insertMessage.setString(2, recipientId);
        insertMessage.setString(3, text);
        if (replyTo == null) {
            insertMessage.setNull(4, Types.BIGINT);
        } else {
            insertMessage.setLong(4, replyTo);
        }
        insertMessage.setLong(5, sentAt);
        try (ResultSet key = insertMessage.executeQuery()) {
            if (!key.next()) {
                throw new SQLException("the insert returned no id");
            }
            return key.getLong(1);
        }
    }

    private Statement control() throws SQLException {
        if (control == null) {
            control = connection.createStatement();
        }
        return control;
    }

    @Override
    public void close() {
        for (Statement statement : new Statement[] {control, insertMessage}) {
            if (statement != null) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // The connection closes next and takes the statement with it.
                }
            }
        }
        control = null;
        insertMessage = null;
    }
}
