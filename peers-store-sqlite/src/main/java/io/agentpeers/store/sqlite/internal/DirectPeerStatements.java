package io.agentpeers.store.sqlite.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The statements on {@code peers} of every registration and resume, on plain JDBC, each prepared once for
 * the life of its connection: a peer by id, by name, by resume secret, by agent, by session, its insert and
 * its update. Through Jdbi's SQL objects each call prepared its statement again and bound the columns by
 * reflection: in a restart storm (2,000 peers resuming at once) the resume's three took 2.6 s of CPU, two
 * thirds of it that overhead, and a fresh registration spent about 0.9 ms of the writer's CPU in
 * {@code findByName} and {@code insert} (C1, 1,000 registrations). The same SQL as {@link PeerDao}'s.
 * Not thread-safe, like the connection.
 */
final class DirectPeerStatements implements AutoCloseable {
    private static final String FIND = PeerDao.SELECT + "WHERE id = ?";
    private static final String FIND_BY_NAME = PeerDao.SELECT + "WHERE name = ? ORDER BY registered_at DESC, id DESC";
    private static final String FIND_BY_RESUME_SECRET_HASH =
            PeerDao.SELECT + "WHERE resume_secret_hash = ? OR previous_secret_hash = ?"
                    + " ORDER BY registered_at DESC, id DESC LIMIT 1";
    private static final String FIND_GONE_BY_AGENT = PeerDao.SELECT
            + "WHERE agent_pid = ? AND agent_start_ticks = ? AND state = 'gone'"
            + " AND client_type = ? AND cwd = ? ORDER BY gone_at DESC, id DESC LIMIT 1";
    private static final String FIND_GONE_BY_SESSION = PeerDao.SELECT
            + "WHERE session_key = ? AND state = 'gone' AND client_type = ?"
            + " AND conn_uid = ? ORDER BY gone_at DESC, id DESC LIMIT 1";
    private static final String INSERT = "INSERT INTO peers (" + PeerDao.COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE = "UPDATE peers SET name = ?, conn_pid = ?, conn_uid = ?,"
            + " conn_start_ticks = ?, agent_pid = ?, agent_uid = ?, agent_start_ticks = ?, cwd = ?, git_root = ?,"
            + " repo_key = ?, tty = ?, client_type = ?, summary = ?, registered_at = ?, last_seen = ?, state = ?,"
            + " gone_at = ?, name_reserved_until = ?, resume_secret_hash = ?, previous_secret_hash = ?, session_key = ?,"
            + " repo_remote = ?"
            + " WHERE id = ?";

    private static final PeerRowMapper MAPPER = new PeerRowMapper();

    private final CachedStatement find;
    private final CachedStatement findByName;
    private final CachedStatement findByResumeSecretHash;
    private final CachedStatement findGoneByAgent;
    private final CachedStatement findGoneBySession;
    private final CachedStatement insert;
    private final CachedStatement update;

    DirectPeerStatements(Connection connection) {
        this.find = new CachedStatement(connection, FIND);
        this.findByName = new CachedStatement(connection, FIND_BY_NAME);
        this.findByResumeSecretHash = new CachedStatement(connection, FIND_BY_RESUME_SECRET_HASH);
        this.findGoneByAgent = new CachedStatement(connection, FIND_GONE_BY_AGENT);
        this.findGoneBySession = new CachedStatement(connection, FIND_GONE_BY_SESSION);
        this.insert = new CachedStatement(connection, INSERT);
        this.update = new CachedStatement(connection, UPDATE);
    }

    Optional<PeerRow> find(String id) throws SQLException {
        return find.run(s -> {
            s.setString(1, id);
            return first(s);
        });
    }

    /** Every peer that ever had {@code name}, newest registration first. */
    List<PeerRow> findByName(String name) throws SQLException {
        return findByName.run(s -> {
            s.setString(1, name);
            List<PeerRow> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(MAPPER.map(rs, null));
                }
            }
            return rows;
        });
    }

    Optional<PeerRow> findByResumeSecretHash(String hash) throws SQLException {
        return findByResumeSecretHash.run(s -> {
            s.setString(1, hash);
            s.setString(2, hash);
            return first(s);
        });
    }

    Optional<PeerRow> findGoneByAgent(long agentPid, long agentStartTicks, String clientType, String cwd)
            throws SQLException {
        return findGoneByAgent.run(s -> {
            s.setLong(1, agentPid);
            s.setLong(2, agentStartTicks);
            s.setString(3, clientType);
            s.setString(4, cwd);
            return first(s);
        });
    }

    Optional<PeerRow> findGoneBySession(int uid, String clientType, String sessionKey) throws SQLException {
        return findGoneBySession.run(s -> {
            s.setString(1, sessionKey);
            s.setString(2, clientType);
            s.setInt(3, uid);
            return first(s);
        });
    }

    /** Inserts {@code row}, every column in {@link PeerDao#COLUMNS}' order. */
    void insert(PeerRow row) throws SQLException {
        insert.run(s -> {
            s.setString(1, row.id());
            bindFromName(s, row, 2);
            return s.executeUpdate();
        });
    }

    /** Writes every column of {@code row} but its id; returns the rows changed (0 or 1). */
    int update(PeerRow row) throws SQLException {
        return update.run(s -> {
            bindFromName(s, row, 1);
            s.setString(23, row.id());
            return s.executeUpdate();
        });
    }

    /** Binds the 22 columns after {@code id}, in {@link PeerDao#COLUMNS}' order, from parameter {@code at} on. */
    private static void bindFromName(PreparedStatement s, PeerRow row, int at) throws SQLException {
        int i = at;
        s.setString(i++, row.name());
        setLong(s, i++, row.connPid());
        setInt(s, i++, row.connUid());
        setLong(s, i++, row.connStartTicks());
        setLong(s, i++, row.agentPid());
        setInt(s, i++, row.agentUid());
        setLong(s, i++, row.agentStartTicks());
        s.setString(i++, row.cwd());
        s.setString(i++, row.gitRoot());
        s.setString(i++, row.repoKey());
        s.setString(i++, row.tty());
        s.setString(i++, row.clientType());
        s.setString(i++, row.summary());
        s.setLong(i++, row.registeredAt());
        s.setLong(i++, row.lastSeen());
        s.setString(i++, row.state());
        setLong(s, i++, row.goneAt());
        setLong(s, i++, row.nameReservedUntil());
        s.setString(i++, row.resumeSecretHash());
        s.setString(i++, row.previousSecretHash());
        s.setString(i++, row.sessionKey());
        s.setString(i, row.repoRemote());
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
        for (CachedStatement statement :
                List.of(find, findByName, findByResumeSecretHash, findGoneByAgent, findGoneBySession, insert, update)) {
            statement.close();
        }
    }
}
