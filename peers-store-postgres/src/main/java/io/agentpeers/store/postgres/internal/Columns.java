package io.agentpeers.store.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Nullable numbers from a result set: JDBC's {@code getLong} reads NULL as 0. */
final class Columns {
    private Columns() {}

    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
