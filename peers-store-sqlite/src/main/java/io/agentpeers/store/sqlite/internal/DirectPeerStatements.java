package io.agentpeers.store.sqlite.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;

/**
 * The statements on {@code peers} of every resume, on plain JDBC, each prepared once for the life of
 * its connection: a peer by id, by resume secret, and its update. Through Jdbi's SQL objects each call
 * prepared its statement again and bound the update's columns by reflection: in a restart storm
 * (2,000 peers resuming at once) these three took 2.6 s of CPU, two thirds of it that overhead. The same
 * SQL as {@link PeerDao}'s. Not thread-safe, like the connection.
 */
final class DirectPeerStatements implements AutoCloseable {
    private static final String FIND = PeerDao.SELECT + "WHERE id = ?";
    private static final String FIND_BY_RESUME_SECRET_HASH =
            PeerDao.SELECT + "WHERE resume_secret_hash = ? OR previous_secret_hash = ?"
                    + " ORDER BY registered_at DESC, id DESC LIMIT 1";
    private static final String UPDATE = "UPDATE peers SET name = ?, conn_pid = ?, conn_uid = ?,"
            + " conn_start_ticks = ?, agent_pid = ?, agent_uid = ?, agent_start_ticks = ?, cwd = ?, git_root = ?,"
            + " repo_key = ?, tty = ?, client_type = ?, summary = ?, registered_at = ?, last_seen = ?, state = ?,"
            + " gone_at = ?, name_reserved_until = ?, resume_secret_hash = ?, previous_secret_hash = ?, session_key = ?"
            + " WHERE id = ?";

    private static final PeerRowMapper MAPPER = new PeerRowMapper();

    private final Connection connection;
    private PreparedStatement find;
    private PreparedStatement findByResumeSecretHash;
    private PreparedStatement update;

    DirectPeerStatements(Connection connection) {
        this.connection = connection;
    }

    Optional<PeerRow> find(String id) throws SQLException {
        if (find == null) {
            find = connection.prepareStatement(FIND);
        }
        find.setString(1, id);
        return first(find);
    }

    Optional<PeerRow> findByResumeSecretHash(String hash) throws SQLException {
        if (findByResumeSecretHash == null) {
            findByResumeSecretHash = connection.prepareStatement(FIND_BY_RESUME_SECRET_HASH);
        }
        findByResumeSecretHash.setString(1, hash);
        findByResumeSecretHash.setString(2, hash);
        return first(findByResumeSecretHash);
    }

    /** Writes every column of {@code row} but its id; returns the rows changed (0 or 1). */
    int update(PeerRow row) throws SQLException {
        if (update == null) {
            update = connection.prepareStatement(UPDATE);
        }
        PreparedStatement s = update;
        s.setString(1, row.name());
        setLong(s, 2, row.connPid());
        setInt(s, 3, row.connUid());
        setLong(s, 4, row.connStartTicks());
        setLong(s, 5, row.agentPid());
        setInt(s, 6, row.agentUid());
        setLong(s, 7, row.agentStartTicks());
        s.setString(8, row.cwd());
        s.setString(9, row.gitRoot());
        s.setString(10, row.repoKey());
        s.setString(11, row.tty());
        s.setString(12, row.clientType());
        s.setString(13, row.summary());
        s.setLong(14, row.registeredAt());
        s.setLong(15, row.lastSeen());
        s.setString(16, row.state());
        setLong(s, 17, row.goneAt());
        setLong(s, 18, row.nameReservedUntil());
        s.setString(19, row.resumeSecretHash());
        s.setString(20, row.previousSecretHash());
        s.setString(21, row.sessionKey());
        s.setString(22, row.id());
        return s.executeUpdate();
    }

    private static Optional<PeerRow> first(PreparedStatement query) throws SQLException {
        try (ResultSet rs = query.executeQuery()) {
            return rs.next() ? Optional.of(MAPPER.map(rs, null)) : Optional.empty();
        }
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private static void setInt(PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }

    @Override
    public void close() {
        for (PreparedStatement statement : new PreparedStatement[] {find, findByResumeSecretHash, update}) {
            if (statement != null) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // The connection closes next and takes the statement with it.
                }
            }
        }
        find = null;
        findByResumeSecretHash = null;
        update = null;
    }
}
