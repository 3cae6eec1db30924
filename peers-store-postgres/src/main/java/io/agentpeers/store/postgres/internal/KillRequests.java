package io.agentpeers.store.postgres.internal;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.KillOutcome;
import io.agentpeers.core.KillRequest;
import io.agentpeers.core.PeerId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statements on {@code kill_requests}, plain JDBC on the transaction's connection (kills are rare: each
 * is prepared when used). "This broker" is the connection's {@code peers.broker_id}; instants are the
 * server's clock, as the lease's.
 */
final class KillRequests {
    private static final String NOW = "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint)";

    /** Answered or void requests are kept this long for a look (an hour), then pruned at the next take. */
    private static final long KEEP_MILLIS = 3_600_000;

    private static final String INSERT = "INSERT INTO kill_requests"
            + " (caller_id, caller_uid, caller_user, asked_by, victim_id, holder)"
            + " VALUES (?, ?, ?, " + PeerDao.SELF + ", ?, ?) RETURNING id";
    private static final String WAITING =
            "SELECT EXISTS (SELECT 1 FROM kill_requests WHERE holder = " + PeerDao.SELF + " AND state = 'requested')";
    /**
     * Takes in one statement what waits for this broker: the row locks of the UPDATE make two takes (the bell
     * and the poll, or a broker started twice on one id) hand a request out once; an old one goes void.
     */
    private static final String TAKE = "UPDATE kill_requests SET state = CASE WHEN created_at > " + NOW
            + " - ? THEN 'taken' ELSE 'expired' END, taken_at = " + NOW + " WHERE holder = " + PeerDao.SELF
            + " AND state = 'requested' RETURNING id, state, caller_id, caller_uid, caller_user, victim_id";

    private static final String PRUNE =
            "DELETE FROM kill_requests WHERE state IN ('done', 'expired') AND created_at < " + NOW + " - ?";
    private static final String FINISH = "UPDATE kill_requests SET state = 'done', done_at = " + NOW
            + ", signalled = ?, refusal = ?, reason = ? WHERE id = ? AND state = 'taken'";
    private static final String VOID =
            "UPDATE kill_requests SET state = 'expired' WHERE id = ? AND state = 'requested'";
    private static final String OUTCOMES =
            "SELECT id, signalled, refusal, reason FROM kill_requests WHERE id = ANY (?) AND state = 'done'";

    private KillRequests() {}

    static long insert(Connection c, PeerId caller, int callerUid, String callerUser, PeerId victim, String holder)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            s.setString(1, caller.value());
            s.setInt(2, callerUid);
            if (callerUser == null) {
                s.setNull(3, Types.VARCHAR);
            } else {
                s.setString(3, callerUser);
            }
            s.setString(4, victim.value());
            s.setString(5, holder);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static boolean waiting(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(WAITING);
                ResultSet rs = s.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    static List<KillRequest> take(Connection c, long boundMillis) throws SQLException {
        List<KillRequest> taken = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(TAKE)) {
            s.setLong(1, boundMillis);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if ("taken".equals(rs.getString(2))) {
                        taken.add(new KillRequest(
                                rs.getLong(1),
                                new PeerId(rs.getString(3)),
                                rs.getInt(4),
                                rs.getString(5),
                                new PeerId(rs.getString(6))));
                    }
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement(PRUNE)) {
            s.setLong(1, KEEP_MILLIS);
            s.executeUpdate();
        }
        taken.sort(java.util.Comparator.comparingLong(KillRequest::id));
        return taken;
    }

    static int finish(Connection c, long id, KillOutcome outcome) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(FINISH)) {
            s.setBoolean(1, outcome.signalled());
            if (outcome.wasRefused()) {
                s.setString(2, outcome.refusal().wireName());
                s.setString(3, outcome.reason());
            } else {
                s.setNull(2, Types.VARCHAR);
                s.setNull(3, Types.VARCHAR);
            }
            s.setLong(4, id);
            return s.executeUpdate();
        }
    }

    static boolean voidIfWaiting(Connection c, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(VOID)) {
            s.setLong(1, id);
            return s.executeUpdate() == 1;
        }
    }

    static Map<Long, KillOutcome> outcomes(Connection c, Collection<Long> ids) throws SQLException {
        Map<Long, KillOutcome> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        Array array = c.createArrayOf("bigint", ids.toArray(new Long[0]));
        try (PreparedStatement s = c.prepareStatement(OUTCOMES)) {
            s.setArray(1, array);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String refusal = rs.getString(3);
                    out.put(
                            rs.getLong(1),
                            new KillOutcome(
                                    rs.getBoolean(2),
                                    refusal == null
                                            ? null
                                            : ErrorCode.fromWireName(refusal).orElse(ErrorCode.KILL_REFUSED),
                                    rs.getString(4)));
                }
            }
        } finally {
            array.free();
        }
        return out;
    }
}
