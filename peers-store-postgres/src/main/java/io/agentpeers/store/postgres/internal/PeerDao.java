package io.agentpeers.store.postgres.internal;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Statements on {@code peers} but the lookup by id ({@link DirectStatements}). Queries on live or gone peers say the state literally so that the
 * planner can use the partial indexes, which cover one state only.
 */
@RegisterRowMapper(PeerRowMapper.class)
@RegisterConstructorMapper(StateCount.class)
public interface PeerDao {
    /** Every query of rows selects these, in this order: {@link PeerRowMapper} reads them by position. */
    String COLUMNS = "id, name, conn_pid, conn_uid, conn_start_ticks, agent_pid, agent_uid, agent_start_ticks,"
            + " cwd, git_root, repo_key, tty, client_type, summary, registered_at, last_seen, state, gone_at,"
            + " name_reserved_until, resume_secret_hash, previous_secret_hash, session_key, repo_remote";

    /** The broker this connection's store belongs to, set on every connection ({@code set_config}). */
    String SELF = "current_setting('peers.broker_id', true)";

    /** A row this broker holds (or held last); no broker for a row of a store from before brokers had ids. */
    String OWN = "(broker_id IS NULL OR broker_id = " + SELF + ")";

    /**
     * After {@link #COLUMNS}: the other broker holding the peer and its host, both null for a peer of this
     * broker, so that a store of one broker reads back the peer it wrote.
     */
    String HOLDER = "CASE WHEN " + OWN + " THEN NULL ELSE broker_id END," + " CASE WHEN " + OWN
            + " THEN NULL ELSE (SELECT b.host FROM brokers b WHERE b.id = peers.broker_id) END";

    String SELECT = "SELECT " + COLUMNS + ", " + HOLDER + " FROM peers ";

    @SqlUpdate("INSERT INTO peers (" + COLUMNS + ") VALUES (:id, :name, :connPid, :connUid, :connStartTicks,"
            + " :agentPid, :agentUid, :agentStartTicks, :cwd, :gitRoot, :repoKey, :tty, :clientType, :summary,"
            + " :registeredAt, :lastSeen, :state, :goneAt, :nameReservedUntil, :resumeSecretHash, :previousSecretHash,"
            + " :sessionKey, :repoRemote)")
    void insert(@BindMethods PeerRow row);

    /** Writes every column but the id; returns the rows changed (0 or 1). */
    @SqlUpdate("UPDATE peers SET name = :name, conn_pid = :connPid, conn_uid = :connUid,"
            + " conn_start_ticks = :connStartTicks, agent_pid = :agentPid, agent_uid = :agentUid,"
            + " agent_start_ticks = :agentStartTicks, cwd = :cwd, git_root = :gitRoot, repo_key = :repoKey,"
            + " tty = :tty, client_type = :clientType, summary = :summary, registered_at = :registeredAt,"
            + " last_seen = :lastSeen, state = :state, gone_at = :goneAt, name_reserved_until = :nameReservedUntil,"
            + " resume_secret_hash = :resumeSecretHash, previous_secret_hash = :previousSecretHash,"
            + " session_key = :sessionKey, repo_remote = :repoRemote, broker_id = " + SELF + " WHERE id = :id")
    int update(@BindMethods PeerRow row);

    @SqlQuery(SELECT + "WHERE name = :name ORDER BY registered_at DESC, id DESC")
    List<PeerRow> findByName(String name);

    /** Two index scans (current and previous secret), OR-ed by a bitmap. */
    @SqlQuery(SELECT + "WHERE resume_secret_hash = :hash OR previous_secret_hash = :hash"
            + " ORDER BY registered_at DESC, id DESC LIMIT 1")
    Optional<PeerRow> findByResumeSecretHash(String hash);

    /** Of this broker's peers only: a pid names a process of one machine. */
    @SqlQuery(SELECT + "WHERE agent_pid = :agentPid AND agent_start_ticks = :agentStartTicks AND state = 'gone'"
            + " AND client_type = :clientType AND cwd = :cwd AND " + OWN + " ORDER BY gone_at DESC, id DESC LIMIT 1")
    Optional<PeerRow> findGoneByAgent(long agentPid, long agentStartTicks, String clientType, String cwd);

    /** Of this broker's peers only: a uid names a user of one machine. */
    @SqlQuery(SELECT + "WHERE session_key = :sessionKey AND state = 'gone' AND client_type = :clientType"
            + " AND conn_uid = :uid AND " + OWN + " ORDER BY gone_at DESC, id DESC LIMIT 1")
    Optional<PeerRow> findGoneBySession(int uid, String clientType, String sessionKey);

    @SqlQuery(SELECT + "WHERE state = 'live' AND " + OWN + " ORDER BY registered_at, id")
    List<PeerRow> live();

    /** Live peers other brokers hold. */
    @SqlQuery(SELECT + "WHERE state = 'live' AND broker_id <> " + SELF + " ORDER BY registered_at, id")
    List<PeerRow> remote();

    /** This broker's previous run's peers: those of other brokers are theirs to mark (or the lease's). */
    @SqlUpdate("UPDATE peers SET state = 'gone', gone_at = :at, name_reserved_until = :reservedUntil"
            + " WHERE state = 'live' AND " + OWN)
    int markAllLiveGone(long at, long reservedUntil);

    @SqlQuery("SELECT p.id FROM peers p WHERE p.state = 'gone' AND p.gone_at < :goneBefore AND EXISTS"
            + " (SELECT 1 FROM messages m WHERE m.recipient_id = p.id AND m.state = 'pending')"
            + " ORDER BY p.gone_at, p.id")
    List<String> goneWithPendingMessages(long goneBefore);

    /** Their messages go with them through the foreign key's ON DELETE CASCADE. */
    @SqlUpdate("DELETE FROM peers WHERE state = 'gone' AND gone_at < :goneBefore AND NOT EXISTS"
            + " (SELECT 1 FROM messages m WHERE m.recipient_id = peers.id AND m.state IN ('pending', 'delivered'))")
    int deleteGone(long goneBefore);

    @SqlQuery("SELECT state, count(*) AS count FROM peers GROUP BY state")
    List<StateCount> countByState();
}
