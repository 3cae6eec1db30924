package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.Claim;
import io.agentpeers.core.PeerId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Reads a {@link Claim} from the columns of {@link ClaimDao#COLUMNS}, by position. */
public final class ClaimRowMapper implements RowMapper<Claim> {

    @Override
    public Claim map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Claim(
                rs.getLong(1),
                new PeerId(rs.getString(2)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getInt(6) != 0,
                Instant.ofEpochMilli(rs.getLong(7)),
                Instant.ofEpochMilli(rs.getLong(8)));
    }
}
