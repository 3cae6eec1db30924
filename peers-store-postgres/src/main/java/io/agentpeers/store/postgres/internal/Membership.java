package io.agentpeers.store.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A broker's row in {@code brokers}: it joins when its store opens, and beats while the store lives. Every
 * instant here is the database server's clock, so brokers on machines whose clocks differ agree on whose
 * lease ran out. Plain JDBC on the writer's connection, under the store's write lock; each call commits.
 */
public final class Membership {
    /** The server's clock in epoch milliseconds. */
    private static final String NOW = "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint)";

    private static final String JOIN = "INSERT INTO brokers (id, host, started_at, heartbeat, lapsed_at)"
            + " VALUES (?, ?, " + NOW + ", " + NOW + ", NULL) ON CONFLICT (id) DO UPDATE SET host = excluded.host,"
            + " started_at = excluded.started_at, heartbeat = excluded.heartbeat, lapsed_at = NULL";
    private static final String BEAT = "UPDATE brokers SET heartbeat = " + NOW + " WHERE id = ? AND lapsed_at IS NULL";
    private static final String LAPSE = "UPDATE brokers SET lapsed_at = " + NOW
            + " WHERE id <> ? AND lapsed_at IS NULL AND heartbeat < " + NOW + " - ?";
    /**
     * The peers of brokers flagged lapsed (by this beat or an earlier one), never of a broker whose beat only
     * looks old now: a peer marked gone always has its broker flagged, so that broker stops at its next beat.
     * Every beat, not only when a broker lapses: a lapsed broker may have taken a peer back before it knew.
     */
    private static final String MARK_GONE = "UPDATE peers SET state = 'gone', gone_at = " + NOW
            + ", name_reserved_until = " + NOW + " + ? WHERE state = 'live' AND broker_id IN"
            + " (SELECT id FROM brokers WHERE id <> ? AND lapsed_at IS NOT NULL)";

    private Membership() {}

    /** Takes the broker's row (again), as live. */
    public static void join(Connection c, String id, String host) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(JOIN)) {
            s.setString(1, id);
            s.setString(2, host);
            s.executeUpdate();
        }
        c.commit();
    }

    /**
     * Renews this broker's lease and marks gone the live peers of brokers whose lease ran out.
     *
     * @return the number of peers marked gone, or -1 when this broker's own lease had run out and another
     *         broker marked its peers gone (nothing is written then)
     */
    public static int beat(Connection c, String id, long leaseMillis, long graceMillis) throws SQLException {
        try {
            try (PreparedStatement s = c.prepareStatement(BEAT)) {
                s.setString(1, id);
                if (s.executeUpdate() == 0) {
                    c.rollback();
                    return -1;
                }
            }
            try (PreparedStatement s = c.prepareStatement(LAPSE)) {
                s.setString(1, id);
                s.setLong(2, leaseMillis);
                s.executeUpdate();
            }
            int gone;
            try (PreparedStatement s = c.prepareStatement(MARK_GONE)) {
                s.setLong(1, graceMillis);
                s.setString(2, id);
                gone = s.executeUpdate();
            }
            c.commit();
            return gone;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    /** The channel a broker listens on: one per broker and schema (channels are per database), at most 63 bytes. */
    public static String channel(String schema, String id) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("MD5")
                    .digest((schema + "/" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "peers_" + java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
