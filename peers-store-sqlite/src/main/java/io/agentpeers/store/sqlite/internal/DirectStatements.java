package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The statements of every send and every resume, on plain JDBC, each prepared once for the life of
 * its connection: BEGIN, COMMIT and ROLLBACK, the insert of a message, and a recipient's pending
 * messages, their count and their revival. Through Jdbi each call set up a statement of its own (the
 * insert also parsed its named parameters): 38 of the 40 microseconds an insert took in batches of 16,
 * and about 20 microseconds twice per transaction. The writer thread runs all of them and bounds the
 * send rate. BEGIN and COMMIT are prepared too: {@code Statement.execute(sql)} parses its SQL at every
 * call, which was a fifth of an empty {@code pending} read. The same SQL as {@link MessageDao}'s. Not
 * thread-safe, like the connection.
 */
final class DirectStatements implements AutoCloseable {
    private static final String INSERT_MESSAGE = "INSERT INTO messages"
            + " (sender_id, recipient_id, text, reply_to, sent_at, state, kind, urgency)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    private static final String PENDING =
            MessageDao.SELECT + "WHERE recipient_id = ? AND state = 'pending' ORDER BY id LIMIT ?";
    private static final String COUNT_PENDING =
            "SELECT COUNT(*) FROM messages WHERE recipient_id = ? AND state = 'pending'";
    private static final String REVIVE =
            "UPDATE messages SET state = 'pending' WHERE recipient_id = ? AND state = 'undeliverable'";
    private static final MessageRowMapper MAPPER = new MessageRowMapper();

    private final Connection connection;
    private final DirectPeerStatements peers;
    /** BEGIN, BEGIN IMMEDIATE, COMMIT and ROLLBACK, each prepared at its first use. */
    private final Map<String, PreparedStatement> controls = new HashMap<>(8);

    private PreparedStatement insertMessage;
    private PreparedStatement pending;
    private PreparedStatement countPending;
    private PreparedStatement revive;

    DirectStatements(Connection connection) {
        this.connection = connection;
        this.peers = new DirectPeerStatements(connection);
    }

    /** The statements on {@code peers}, on the same connection. */
    DirectPeerStatements peers() {
        return peers;
    }

    /** Runs {@code sql} ({@code BEGIN ...} or {@code COMMIT}); a failure comes out as a {@link StoreException}. */
    void control(String sql) {
        try {
            prepared(sql).execute();
        } catch (SQLException e) {
            throw new StoreException("the store failed to " + sql.toLowerCase(Locale.ROOT) + ": " + e.getMessage(), e);
        }
    }

    /** Rolls back what is open, recording a failure to do so on {@code cause}. */
    void rollbackQuietly(Throwable cause) {
        try {
            prepared("ROLLBACK").execute();
        } catch (SQLException e) {
            // "no transaction is active" after a failed COMMIT that already ended it, or a dead connection.
            cause.addSuppressed(e);
        }
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
                rows.add(MAPPER.map(rs, null));
            }
        }
        return rows;
    }

    /** How many messages wait for {@code recipientId}: counted from the (recipient_id, state, id) index alone. */
    int countPending(String recipientId) throws SQLException {
        if (countPending == null) {
            countPending = connection.prepareStatement(COUNT_PENDING);
        }
        countPending.setString(1, recipientId);
        try (ResultSet rs = countPending.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Makes the undeliverable messages of {@code recipientId} pending again; returns how many. */
    int revive(String recipientId) throws SQLException {
        if (revive == null) {
            revive = connection.prepareStatement(REVIVE);
        }
        revive.setString(1, recipientId);
        return revive.executeUpdate();
    }

    private PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement statement = controls.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            controls.put(sql, statement);
        }
        return statement;
    }

    @Override
    public void close() {
        peers.close();
        List<Statement> statements = new ArrayList<>(controls.values());
        statements.addAll(Arrays.asList(insertMessage, pending, countPending, revive));
        for (Statement statement : statements) {
            if (statement != null) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // The connection closes next and takes the statement with it.
                }
            }
        }
        controls.clear();
        insertMessage = null;
        pending = null;
        countPending = null;
        revive = null;
    }
}
