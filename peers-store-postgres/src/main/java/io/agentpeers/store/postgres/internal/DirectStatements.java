package io.agentpeers.store.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The statements of every send and every delivery, on plain JDBC, each prepared once for the life of
 * its connection (so the driver prepares it on the server once too): the insert of a message, a
 * recipient's pending messages and their count, and a peer by id. Through Jdbi each call set up a
 * statement of its own: 500-row transactions of inserts ran at about 4,200 rows/s through Jdbi and
 * 6,800 on plain JDBC (loopback, loaded 2-core machine); the writer thread runs all of them and bounds
 * the send rate. Not thread-safe, like the connection.
 */
final class DirectStatements implements AutoCloseable {
    private static final String INSERT_MESSAGE = "INSERT INTO messages"
            + " (sender_id, recipient_id, text, reply_to, sent_at, state, kind, urgency)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    private static final String PENDING =
            MessageDao.SELECT + "WHERE recipient_id = ? AND state = 'pending' ORDER BY id LIMIT ?";
    private static final String COUNT_PENDING =
            "SELECT count(*) FROM messages WHERE recipient_id = ? AND state = 'pending'";
    private static final String FIND_PEER = PeerDao.SELECT + "WHERE id = ?";
    private static final MessageRowMapper MESSAGES = new MessageRowMapper();
    private static final PeerRowMapper PEERS = new PeerRowMapper();

    private final Connection connection;
    private PreparedStatement insertMessage;
    private PreparedStatement pending;
    private PreparedStatement countPending;
    private PreparedStatement findPeer;

    DirectStatements(Connection connection) {
        this.connection = connection;
    }

    /** The connection these statements run on, for the rare statements prepared when used. */
    Connection connection() {
        return connection;
    }

    /** Inserts a message in {@code state} (pending or held); returns its id. */
    long insertMessage(
            String senderId,
            String recipientId,
            String text,
            Long replyTo,
            long sentAt,
            String state,
            String kind,
            String urgency)
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
        insertMessage.setString(6, state);
        insertMessage.setString(7, kind);
        insertMessage.setString(8, urgency);
        try (ResultSet key = insertMessage.executeQuery()) {
            if (!key.next()) {
                throw new SQLException("the insert returned no id");
            }
            return key.getLong(1);
        }
    }

    /** The oldest {@code limit} pending messages of {@code recipientId}, in id order. */
    List<MessageRow> pending(String recipientId, int limit) throws SQLException {
        if (pending == null) {
            pending = connection.prepareStatement(PENDING);
        }
        pending.setString(1, recipientId);
        pending.setInt(2, limit);
        List<MessageRow> rows = new ArrayList<>();
        try (ResultSet rs = pending.executeQuery()) {
            while (rs.next()) {
                rows.add(MESSAGES.map(rs, null));
            }
        }
        return rows;
    }

    /** How many messages wait for {@code recipientId}. */
    int countPending(String recipientId) throws SQLException {
        if (countPending == null) {
            countPending = connection.prepareStatement(COUNT_PENDING);
        }
        countPending.setString(1, recipientId);
        try (ResultSet rs = countPending.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    Optional<PeerRow> findPeer(String id) throws SQLException {
        if (findPeer == null) {
            findPeer = connection.prepareStatement(FIND_PEER);
        }
        findPeer.setString(1, id);
        try (ResultSet rs = findPeer.executeQuery()) {
            return rs.next() ? Optional.of(PEERS.map(rs, null)) : Optional.empty();
        }
    }

    @Override
    public void close() {
        for (PreparedStatement statement : new PreparedStatement[] {insertMessage, pending, countPending, findPeer}) {
            if (statement != null) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // The connection closes next and takes the statement with it.
                }
            }
        }
        insertMessage = null;
        pending = null;
        countPending = null;
        findPeer = null;
    }
}
