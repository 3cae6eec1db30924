package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
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
    private final Map<String, CachedStatement> controls = new HashMap<>(8);

    private final CachedStatement insertMessage;
    private final CachedStatement pending;
    private final CachedStatement countPending;
    private final CachedStatement revive;

    DirectStatements(Connection connection) {
        this.connection = connection;
        this.peers = new DirectPeerStatements(connection);
        this.insertMessage = new CachedStatement(connection, INSERT_MESSAGE);
        this.pending = new CachedStatement(connection, PENDING);
        this.countPending = new CachedStatement(connection, COUNT_PENDING);
        this.revive = new CachedStatement(connection, REVIVE);
    }

    /** The statements on {@code peers}, on the same connection. */
    DirectPeerStatements peers() {
        return peers;
    }

    /** Runs {@code sql} ({@code BEGIN ...} or {@code COMMIT}); a failure comes out as a {@link StoreException}. */
    void control(String sql) {
        try {
            prepared(sql).run(PreparedStatement::execute);
        } catch (SQLException e) {
            throw new StoreException("the store failed to " + sql.toLowerCase(Locale.ROOT) + ": " + e.getMessage(), e);
        }
    }

    /** Rolls back what is open, recording a failure to do so on {@code cause}. */
    void rollbackQuietly(Throwable cause) {
        try {
            prepared("ROLLBACK").run(PreparedStatement::execute);
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
        return insertMessage.run(s -> {
            s.setString(1, senderId);
            s.setString(2, recipientId);
            s.setString(3, text);
            if (replyTo == null) {
                s.setNull(4, Types.BIGINT);
            } else {
                s.setLong(4, replyTo);
            }
            s.setLong(5, sentAt);
            s.setString(6, state);
            s.setString(7, kind);
            s.setString(8, urgency);
            try (ResultSet key = s.executeQuery()) {
                if (!key.next()) {
                    throw new SQLException("the insert returned no id");
                }
                return key.getLong(1);
            }
        });
    }

    /** The oldest {@code limit} pending messages of {@code recipientId}, in id order. */
    List<MessageRow> pending(String recipientId, int limit) throws SQLException {
        return pending.run(s -> {
            s.setString(1, recipientId);
            s.setInt(2, limit);
            List<MessageRow> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(MAPPER.map(rs, null));
                }
            }
            return rows;
        });
    }

    /** How many messages wait for {@code recipientId}: counted from the (recipient_id, state, id) index alone. */
    int countPending(String recipientId) throws SQLException {
        return countPending.run(s -> {
            s.setString(1, recipientId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    /** Makes the undeliverable messages of {@code recipientId} pending again; returns how many. */
    int revive(String recipientId) throws SQLException {
        return revive.run(s -> {
            s.setString(1, recipientId);
            return s.executeUpdate();
        });
    }

    private CachedStatement prepared(String sql) {
        CachedStatement statement = controls.get(sql);
        if (statement == null) {
            statement = new CachedStatement(connection, sql);
            controls.put(sql, statement);
        }
        return statement;
    }

    @Override
    public void close() {
        peers.close();
        List<CachedStatement> statements = new ArrayList<>(controls.values());
        statements.addAll(List.of(insertMessage, pending, countPending, revive));
        statements.forEach(CachedStatement::close);
        controls.clear();
    }
}
