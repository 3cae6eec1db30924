package io.agentpeers.store.sqlite.internal;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Statements on {@code peers} (those of every registration and resume are in {@link DirectPeerStatements}). Queries on live peers say {@code state = 'live'} literally so that
 * SQLite can use the partial indexes, which cover live peers only.
 */
@RegisterRowMapper(PeerRowMapper.class)
@RegisterConstructorMapper(StateCount.class)
public interface PeerDao {
    /** Every query of rows selects these, in this order: {@link PeerRowMapper} reads them by position. */
    String COLUMNS = "id, name, conn_pid, conn_uid, conn_start_ticks, agent_pid, agent_uid, agent_start_ticks,"
            + " cwd, git_root, repo_key, tty, client_type, summary, registered_at, last_seen, state, gone_at,"
            + " name_reserved_until, resume_secret_hash, previous_secret_hash, session_key, repo_remote";

    String SELECT = "SELECT " + COLUMNS + " FROM peers ";

    @SqlQuery(SELECT + "WHERE state = 'live' ORDER BY registered_at, id")
    List<PeerRow> live();

    @SqlUpdate("UPDATE peers SET state = 'gone', gone_at = :at, name_reserved_until = :reservedUntil"
            + " WHERE state = 'live'")
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
