package io.agentpeers.store.sqlite.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The insert of every send, on one statement prepared for the life of its connection. Through Jdbi
 * each call parsed its named parameters and set up a fresh statement: 38 of the 40 microseconds an
 * insert took in batches of 16, and the writer thread, which runs every insert, bounds the send rate.
 */
final class MessageInsert implements AutoCloseable {
    private static final String SQL = "INSERT INTO messages (sender_id, recipient_id, text, reply_to, sent_at, state)"
            + " VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id";

    private final Connection connection;
    private PreparedStatement statement;

    MessageInsert(Connection connection) {
        this.connection = connection;
    }

    /** Inserts a pending message; returns its id. */
    long insert(String senderId, String recipientId, String text, Long replyTo, long sentAt) throws SQLException {
        if (statement == null) {
            statement = connection.prepareStatement(SQL);
        }
        statement.setString(1, senderId);
        statement.setString(2, recipientId);
        statement.setString(3, text);
        if (replyTo == null) {
            statement.setNull(4, Types.BIGINT);
        } else {
            statement.setLong(4, replyTo);
        }
        statement.setLong(5, sentAt);
        try (ResultSet key = statement.executeQuery()) {
            if (!key.next()) {
                throw new SQLException("the insert returned no id");
            }
            return key.getLong(1);
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
}
