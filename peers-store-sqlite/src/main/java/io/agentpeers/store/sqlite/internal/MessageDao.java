package io.agentpeers.store.sqlite.internal;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Statements on {@code messages}; states are the lower-case wire names. */
@RegisterRowMapper(MessageRowMapper.class)
@RegisterConstructorMapper(StateCount.class)
@RegisterConstructorMapper(UnreadTotals.class)
public interface MessageDao {
    /** Every query of rows selects these, in this order: {@link MessageRowMapper} reads them by position. */
    String COLUMNS =
            "id, sender_id, recipient_id, text, reply_to, sent_at, delivered_at, read_at, state, kind, urgency, released_at";

    String SELECT = "SELECT " + COLUMNS + " FROM messages ";

    @SqlUpdate("UPDATE messages SET sender_id = :to WHERE sender_id = :from")
    int moveSent(String from, String to);

    @SqlUpdate("UPDATE messages SET recipient_id = :to WHERE recipient_id = :from")
    int moveReceived(String from, String to);

    @SqlQuery(SELECT + "WHERE id = :id")
    Optional<MessageRow> find(long id);

    /**
     * The oldest {@code limit} of each state, each read in id order from (recipient_id, state, id),
     * then merged: a plain {@code state IN (..) ORDER BY id} would sort every unread message first.
     */
    @SqlQuery("SELECT * FROM (" + SELECT
            + "WHERE recipient_id = :recipientId AND state = 'pending' ORDER BY id LIMIT :limit)"
            + " UNION ALL SELECT * FROM (" + SELECT + "WHERE recipient_id = :recipientId AND state = 'delivered'"
            + " ORDER BY id LIMIT :limit) ORDER BY id LIMIT :limit")
    List<MessageRow> unread(String recipientId, int limit);

    /** The count and the two newest ids in one pass over the recipient's unread rows (a hook asks at every prompt). */
    @SqlQuery("SELECT COUNT(*) AS count, COALESCE(MAX(id), 0) AS newest,"
            + " COALESCE(MAX(CASE WHEN urgency <> 'fyi' THEN id END), 0) AS newestWaking"
            + " FROM messages WHERE recipient_id = :recipientId AND state IN ('pending', 'delivered')")
    UnreadTotals unreadTotals(String recipientId);

    /** Each sender once, in the order of its oldest unread message; the texts are not read. */
    @SqlQuery("SELECT sender_id FROM messages WHERE recipient_id = :recipientId AND state IN ('pending', 'delivered')"
            + " GROUP BY sender_id ORDER BY MIN(id) LIMIT :limit")
    List<String> unreadSenders(String recipientId, int limit);

    @SqlUpdate("UPDATE messages SET state = 'delivered', delivered_at = :at"
            + " WHERE recipient_id = :recipientId AND state = 'pending' AND id IN (<ids>)")
    int markDelivered(String recipientId, @BindList("ids") List<Long> ids, long at);

    @SqlUpdate("UPDATE messages SET state = 'read', read_at = :at, delivered_at = coalesce(delivered_at, :at)"
            + " WHERE recipient_id = :recipientId AND state IN ('pending', 'delivered') AND id IN (<ids>)")
    int markRead(String recipientId, @BindList("ids") List<Long> ids, long at);

    @SqlQuery(SELECT + "WHERE recipient_id = :recipientId AND state = 'pending' ORDER BY id")
    List<MessageRow> allPending(String recipientId);

    @SqlUpdate("UPDATE messages SET state = 'undeliverable' WHERE recipient_id = :recipientId AND state = 'pending'")
    int markUndeliverable(String recipientId);

    /** The newest {@code limit} sent and the newest {@code limit} received, merged (UNION drops a message to oneself seen twice). */
    @SqlQuery("SELECT * FROM (" + SELECT + "WHERE sender_id = :peer ORDER BY id DESC LIMIT :limit)"
            + " UNION SELECT * FROM (" + SELECT + "WHERE recipient_id = :peer ORDER BY id DESC LIMIT :limit)"
            + " ORDER BY id DESC LIMIT :limit")
    List<MessageRow> history(String peer, int limit);

    /**
     * The newest {@code limit} of each direction by {@code messages_pair}, merged: an OR over both directions
     * walked every message either had sent and sorted them, at each send the ping-pong guard judges.
     */
    @SqlQuery("SELECT * FROM (" + SELECT
            + "WHERE sender_id = :peer AND recipient_id = :other ORDER BY id DESC LIMIT :limit)"
            + " UNION SELECT * FROM (" + SELECT + "WHERE sender_id = :other AND recipient_id = :peer"
            + " ORDER BY id DESC LIMIT :limit) ORDER BY id DESC LIMIT :limit")
    List<MessageRow> historyWith(String peer, String other, int limit);

    /** From the partial index on reply_to. */
    @SqlQuery(SELECT + "WHERE reply_to = :replyTo AND sender_id = :from AND state <> 'held' ORDER BY id LIMIT 1")
    Optional<MessageRow> firstReply(long replyTo, String from);

    @SqlQuery(SELECT + "WHERE state = 'held' ORDER BY id LIMIT :limit")
    List<MessageRow> allHeld(int limit);

    @SqlQuery(SELECT + "WHERE state = 'held' AND (sender_id = :peer OR recipient_id = :peer) ORDER BY id LIMIT :limit")
    List<MessageRow> heldOf(String peer, int limit);

    @SqlUpdate("UPDATE messages SET state = 'pending', released_at = :at WHERE state = 'held' AND id IN (<ids>)")
    int release(@BindList("ids") List<Long> ids, long at);

    @SqlQuery(SELECT + "WHERE id IN (<ids>) ORDER BY id")
    List<MessageRow> findAll(@BindList("ids") List<Long> ids);

    @SqlUpdate("DELETE FROM messages WHERE state IN ('read', 'undeliverable') AND sent_at < :sentBefore")
    int deleteFinished(long sentBefore);

    @SqlQuery("SELECT state, count(*) AS count FROM messages GROUP BY state")
    List<StateCount> countByState();
}
