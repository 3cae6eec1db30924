package io.agentpeers.store.postgres.internal;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Statements on {@code messages} but those of {@link DirectStatements}; states are the lower-case wire names. Sets of ids are bound as one
 * {@code bigint[]} ({@code id = ANY(:ids)}): one statement, and one cached plan, however many ids.
 */
@RegisterRowMapper(MessageRowMapper.class)
@RegisterConstructorMapper(StateCount.class)
@RegisterConstructorMapper(UnreadTotals.class)
public interface MessageDao {
    /** Every query of rows selects these, in this order: {@link MessageRowMapper} reads them by position. */
    String COLUMNS =
            "id, sender_id, recipient_id, text, reply_to, sent_at, delivered_at, read_at, state, kind, urgency, released_at";

    String SELECT = "SELECT " + COLUMNS + " FROM messages ";

    @SqlQuery(SELECT + "WHERE id = :id")
    Optional<MessageRow> find(long id);

    /**
     * Pending messages other brokers wrote to live peers of this one, above {@code afterId}: read from
     * this broker's live peers (few) through (recipient_id, state, id).
     */
    @SqlQuery(SELECT + "WHERE state = 'pending' AND id > :afterId AND written_by IS DISTINCT FROM " + PeerDao.SELF
            + " AND recipient_id IN (SELECT id FROM peers WHERE state = 'live' AND broker_id = " + PeerDao.SELF
            + ") ORDER BY id LIMIT :limit")
    List<MessageRow> remoteMail(long afterId, int limit);

    /**
     * The oldest {@code limit} of each state, each read in id order from (recipient_id, state, id),
     * then merged: a plain {@code state IN (..) ORDER BY id} would sort every unread message first.
     */
    @SqlQuery("SELECT * FROM (" + SELECT
            + "WHERE recipient_id = :recipientId AND state = 'pending' ORDER BY id LIMIT :limit) AS p"
            + " UNION ALL SELECT * FROM (" + SELECT + "WHERE recipient_id = :recipientId AND state = 'delivered'"
            + " ORDER BY id LIMIT :limit) AS d ORDER BY id LIMIT :limit")
    List<MessageRow> unread(String recipientId, int limit);

    /** The count and the two newest ids in one pass over the recipient's unread rows (a hook asks at every prompt). */
    @SqlQuery("SELECT count(*) AS count, coalesce(max(id), 0) AS newest,"
            + " coalesce(max(CASE WHEN urgency <> 'fyi' THEN id END), 0) AS newestWaking"
            + " FROM messages WHERE recipient_id = :recipientId AND state IN ('pending', 'delivered')")
    UnreadTotals unreadTotals(String recipientId);

    /** Each sender once, in the order of its oldest unread message; the texts are not read. */
    @SqlQuery("SELECT sender_id FROM messages WHERE recipient_id = :recipientId AND state IN ('pending', 'delivered')"
            + " GROUP BY sender_id ORDER BY min(id) LIMIT :limit")
    List<String> unreadSenders(String recipientId, int limit);

    /** From the partial index on reply_to. */
    @SqlQuery(SELECT + "WHERE reply_to = :replyTo AND sender_id = :from AND state <> 'held' ORDER BY id LIMIT 1")
    Optional<MessageRow> firstReply(long replyTo, String from);

    @SqlQuery(SELECT + "WHERE state = 'held' ORDER BY id LIMIT :limit")
    List<MessageRow> allHeld(int limit);

    @SqlQuery(SELECT + "WHERE state = 'held' AND (sender_id = :peer OR recipient_id = :peer) ORDER BY id LIMIT :limit")
    List<MessageRow> heldOf(String peer, int limit);

    @SqlQuery("UPDATE messages SET state = 'pending', released_at = :at WHERE state = 'held' AND id = ANY(:ids)"
            + " RETURNING " + COLUMNS)
    List<MessageRow> release(Long[] ids, long at);

    @SqlUpdate("UPDATE messages SET state = 'delivered', delivered_at = :at"
            + " WHERE recipient_id = :recipientId AND state = 'pending' AND id = ANY(:ids)")
    int markDelivered(String recipientId, Long[] ids, long at);

    @SqlUpdate("UPDATE messages SET state = 'read', read_at = :at, delivered_at = coalesce(delivered_at, :at)"
            + " WHERE recipient_id = :recipientId AND state IN ('pending', 'delivered') AND id = ANY(:ids)")
    int markRead(String recipientId, Long[] ids, long at);

    /**
     * The rows this statement changed, in no order: of two brokers sweeping the same gone peer at once, the
     * second waits for the first's row locks, finds the rows no longer pending and gets none (no second
     * notice to their senders), which a read before the update could not tell.
     */
    @SqlQuery("UPDATE messages SET state = 'undeliverable' WHERE recipient_id = :recipientId AND state = 'pending'"
            + " RETURNING " + COLUMNS)
    List<MessageRow> markUndeliverable(String recipientId);

    @SqlUpdate("UPDATE messages SET sender_id = :to WHERE sender_id = :from")
    int moveSent(String from, String to);

    @SqlUpdate("UPDATE messages SET recipient_id = :to WHERE recipient_id = :from")
    int moveReceived(String from, String to);

    @SqlUpdate("UPDATE messages SET state = 'pending' WHERE recipient_id = :recipientId AND state = 'undeliverable'")
    int revive(String recipientId);

    /** The newest {@code limit} sent and the newest {@code limit} received, merged (UNION drops a message to oneself seen twice). */
    @SqlQuery("SELECT * FROM (" + SELECT + "WHERE sender_id = :peer ORDER BY id DESC LIMIT :limit) AS s"
            + " UNION SELECT * FROM (" + SELECT + "WHERE recipient_id = :peer ORDER BY id DESC LIMIT :limit) AS r"
            + " ORDER BY id DESC LIMIT :limit")
    List<MessageRow> history(String peer, int limit);

    /**
     * The newest {@code limit} of each direction by {@code messages_pair}, merged: an OR over both directions
     * walked every message either had sent and sorted them, at each send the ping-pong guard judges.
     */
    @SqlQuery("SELECT * FROM (" + SELECT
            + "WHERE sender_id = :peer AND recipient_id = :other ORDER BY id DESC LIMIT :limit) AS s"
            + " UNION SELECT * FROM (" + SELECT + "WHERE sender_id = :other AND recipient_id = :peer"
            + " ORDER BY id DESC LIMIT :limit) AS r ORDER BY id DESC LIMIT :limit")
    List<MessageRow> historyWith(String peer, String other, int limit);

    @SqlUpdate("DELETE FROM messages WHERE state IN ('read', 'undeliverable') AND sent_at < :sentBefore")
    int deleteFinished(long sentBefore);

    @SqlQuery("SELECT state, count(*) AS count FROM messages GROUP BY state")
    List<StateCount> countByState();
}
