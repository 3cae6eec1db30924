package io.agentpeers.store.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Reads a {@link PeerRow} from the columns of {@link PeerDao#COLUMNS} and {@link PeerDao#HOLDER}, by position, as the SQLite store
 * does (there, Jdbi's {@code ConstructorMapper} tripled the cost of a {@code findPeer}). Public because
 * Jdbi instantiates it from the DAO's annotation.
 */
public final class PeerRowMapper implements RowMapper<PeerRow> {

    @Override
    public PeerRow map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new PeerRow(
                rs.getString(1),
                rs.getString(2),
                Columns.nullableLong(rs, 3),
                Columns.nullableInt(rs, 4),
                Columns.nullableLong(rs, 5),
                Columns.nullableLong(rs, 6),
                Columns.nullableInt(rs, 7),
                Columns.nullableLong(rs, 8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                rs.getString(23),
                rs.getString(12),
                rs.getString(13),
                rs.getString(14),
                rs.getLong(15),
                rs.getLong(16),
                rs.getString(17),
                Columns.nullableLong(rs, 18),
                Columns.nullableLong(rs, 19),
                rs.getString(20),
                rs.getString(21),
                rs.getString(22),
                rs.getString(24),
                rs.getString(25));
    }
}
