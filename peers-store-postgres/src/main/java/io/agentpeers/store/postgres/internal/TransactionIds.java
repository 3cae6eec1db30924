package io.agentpeers.store.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A transaction's id, learnt before its COMMIT, and the server's word on it afterwards: how a store finds
 * out whether a COMMIT whose answer never came did commit.
 */
public final class TransactionIds {
    private TransactionIds() {}

    /** The id of the open transaction, or null when it has written nothing (nothing can then be in doubt). */
    public static Long assigned(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT txid_current_if_assigned()");
                ResultSet r = s.executeQuery()) {
            r.next();
            long value = r.getLong(1);
            return r.wasNull() ? null : value;
        }
    }

    /**
     * Whether transaction {@code xid} committed; null when the server cannot say (too old to be remembered).
     * Asked once the session that ran it has ended, when "in progress" cannot be the answer. Commits.
     */
    public static Boolean committed(Connection c, long xid) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT txid_status(?)")) {
            s.setLong(1, xid);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                String status = r.getString(1);
                c.commit();
                return "committed".equals(status) ? Boolean.TRUE : "aborted".equals(status) ? Boolean.FALSE : null;
            }
        }
    }
}
