package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.Claim;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Statements on {@code claims}; instants are epoch milliseconds. */
@RegisterRowMapper(ClaimRowMapper.class)
public interface ClaimDao {
    /** Every query of rows selects these, in this order: {@link ClaimRowMapper} reads them by position. */
    String COLUMNS = "id, holder_id, repo_key, pattern, note, shared, claimed_at, expires_at";

    String SELECT = "SELECT " + COLUMNS + " FROM claims ";

    @SqlUpdate("INSERT INTO claims (holder_id, repo_key, pattern, note, shared, claimed_at, expires_at)"
            + " VALUES (:holder, :repoKey, :pattern, :note, :shared, :claimedAt, :expiresAt)")
    @GetGeneratedKeys("id")
    long insert(String holder, String repoKey, String pattern, String note, int shared, long claimedAt, long expiresAt);

    @SqlQuery(SELECT + "WHERE repo_key = :repoKey ORDER BY id")
    List<Claim> inRepo(String repoKey);

    @SqlQuery(SELECT + "ORDER BY id")
    List<Claim> all();

    @SqlQuery(SELECT + "WHERE holder_id = :holder ORDER BY id")
    List<Claim> of(String holder);

    @SqlUpdate("DELETE FROM claims WHERE holder_id = :holder AND id IN (<ids>)")
    int delete(String holder, @BindList("ids") List<Long> ids);

    @SqlUpdate("DELETE FROM claims WHERE expires_at <= :now OR holder_id IN"
            + " (SELECT id FROM peers WHERE state = 'gone' AND gone_at <= :goneBy)")
    int deleteEnded(long now, long goneBy);

    @SqlUpdate("UPDATE claims SET holder_id = :to WHERE holder_id = :from")
    int move(String from, String to);
}
