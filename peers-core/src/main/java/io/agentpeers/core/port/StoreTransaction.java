package io.agentpeers.core.port;

import io.agentpeers.core.Claim;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.KillOutcome;
import io.agentpeers.core.KillRequest;
import io.agentpeers.core.Message;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operations of one unit of work. Valid only inside the {@link PeerStore} call that handed it
 * out, on that thread. Lists come back in the documented order; a limit of {@code n} returns at most
 * {@code n} rows.
 */
public interface StoreTransaction {

    // ---- peers

    /** Adds a peer whose id is new. */
    void insertPeer(Peer peer);

    /** Replaces every field of the peer with the same id, which must exist. */
    void updatePeer(Peer peer);

    /** The peer with this id, live or gone, or empty. */
    Optional<Peer> findPeer(PeerId id);

    /** Every peer, live or gone, that has this name, newest registration first. */
    List<Peer> findPeersByName(String name);

    /**
     * The peer whose current or previous resume secret hashes to {@code hash} (SHA-256, hex), or empty;
     * of several, the newest registration.
     */
    Optional<Peer> findPeerByResumeSecretHash(String hash);

    /**
     * The gone peer, most recently gone first, of this session of an agent client: same session key, same
     * client type, its connection of the same uid. The candidate for a resume after the agent restarted.
     * Of a {@linkplain PeerStore#shared() shared} store, only peers this broker held: a uid means something
     * on one machine only.
     */
    Optional<Peer> findGonePeerBySession(int uid, ClientType clientType, String sessionKey);

    /**
     * The gone peer, most recently gone first, whose agent process is this one (pid and start ticks)
     * with the same client type and cwd: the candidate for an automatic resume. Of a shared store, only
     * peers this broker held.
     */
    Optional<Peer> findGonePeerByAgent(long agentPid, long agentStartTicks, ClientType clientType, String cwd);

    /**
     * Live peers ordered by registration time, then id: of a {@linkplain PeerStore#shared() shared} store,
     * those this broker holds (every live peer on a store of one broker).
     */
    List<Peer> livePeers();

    /**
     * Live peers that other brokers on a shared store hold, each with its {@link Peer#holder()}, ordered by
     * registration time, then id. None on a store of one broker.
     */
    default List<Peer> remotePeers() {
        return List.of();
    }

    /**
     * Marks every live peer gone at {@code at} with its name reserved until {@code reservedUntil}; returns how
     * many. Of a shared store, only the peers this broker held (its previous run's).
     */
    int markAllLivePeersGone(Instant at, Instant reservedUntil);

    /** Ids of peers gone before {@code goneBefore} that still have pending messages addressed to them. */
    List<PeerId> gonePeersWithPendingMessages(Instant goneBefore);

    /**
     * Deletes peers gone before {@code goneBefore} that have no pending or delivered message addressed
     * to them, together with every message addressed to them; returns how many peers.
     */
    int deleteGonePeers(Instant goneBefore);

    // ---- messages

    /** Stores a message in state pending and returns it with its id, greater than every earlier id. */
    Message insertMessage(NewMessage message);

    /** The message with this id, in any state, or empty. */
    Optional<Message> findMessage(long id);

    /**
     * Pending messages with ids above {@code afterId} that other brokers of a shared store wrote to live
     * peers this broker holds, oldest (lowest id) first: what this broker pushes when its
     * {@linkplain PeerStore#onRemoteCommit bell} rings. None on a store of one broker.
     */
    default List<Message> remoteMail(long afterId, int limit) {
        return List.of();
    }

    // ---- kills across brokers (a shared store only; a store of one broker has no other broker to ask)

    /**
     * Records a kill of {@code victim}, which the broker {@code holderBrokerId} holds, asked by this broker's
     * peer {@code caller}; the holder's bell rings at commit. Returns the request's id. A store of one broker
     * refuses: every victim it knows is its own.
     */
    default long insertKillRequest(
            PeerId caller, int callerUid, String callerUser, PeerId victim, String holderBrokerId) {
        throw new UnsupportedOperationException("a store of one broker has no other broker to ask for a kill");
    }

    /** Whether kill requests wait for this broker to take them: a read before {@link #takeKillRequests}. */
    default boolean hasKillRequests() {
        return false;
    }

    /**
     * Takes the kill requests addressed to this broker that wait, each at most once (a taken request is
     * never handed out again); those older than {@code bound} by the store's clock are voided instead and
     * never handed out. Oldest first.
     */
    default List<KillRequest> takeKillRequests(Duration bound) {
        return List.of();
    }

    /** Records this broker's answer to the request {@code id} it took; its asker's bell rings at commit. */
    default void finishKillRequest(long id, KillOutcome outcome) {
        throw new UnsupportedOperationException("a store of one broker has no kill requests");
    }

    /**
     * Voids the request {@code id} unless its holder took it already: returns whether it was voided (then it
     * is never carried out).
     */
    default boolean voidKillRequest(long id) {
        return false;
    }

    /** The answers given so far to those of the requests {@code ids} that were answered, by id. */
    default Map<Long, KillOutcome> killOutcomes(Collection<Long> ids) {
        return Map.of();
    }

    /** Pending messages addressed to {@code recipient}, oldest first. */
    List<Message> pendingMessages(PeerId recipient, int limit);

    /** How many messages wait, pending, for {@code recipient}: a count, no rows read. */
    int countPendingMessages(PeerId recipient);

    /** Pending or delivered (not yet read) messages addressed to {@code recipient}, oldest first. */
    List<Message> unreadMessages(PeerId recipient, int limit);

    /**
     * The unread (pending or delivered) messages of {@code recipient} counted and summed up, no text read:
     * an agent's hook asks at every prompt and stop.
     *
     * @param maxSenders the most senders listed
     */
    UnreadSummary summarizeUnread(PeerId recipient, int maxSenders);

    /** Moves the given pending messages of {@code recipient} to delivered; other ids are ignored. Returns the count changed. */
    int markDelivered(PeerId recipient, Collection<Long> ids, Instant at);

    /**
     * Moves the given pending or delivered messages of {@code recipient} to read (setting the delivery
     * time too where it was missing); other ids are ignored. Returns the count changed.
     */
    int markRead(PeerId recipient, Collection<Long> ids, Instant at);

    /** Moves every pending message of {@code recipient} to undeliverable and returns them as they were (pending). */
    List<Message> markUndeliverable(PeerId recipient);

    /** Moves every undeliverable message of {@code recipient} back to pending; returns the count. */
    int revivePendingMessages(PeerId recipient);

    /**
     * Gives every message {@code from} sent or received to {@code to} instead (a peer merged into the one
     * it turned out to be).
     */
    void moveMessages(PeerId from, PeerId to);

    /**
     * Messages sent or received by {@code peer} (only those exchanged with {@code other} when it is not
     * null), newest first.
     */
    List<Message> history(PeerId peer, PeerId other, int limit);

    /**
     * The first message {@code from} sent that replies to message {@code replyTo} (smallest id), held
     * ones left out: the answer to a question.
     */
    Optional<Message> firstReply(long replyTo, PeerId from);

    /** Held messages sent or received by {@code peer} (every held message when it is null), oldest first. */
    List<Message> heldMessages(PeerId peer, int limit);

    /**
     * Moves the given held messages to pending, released at {@code at}; other ids are ignored. Returns
     * them as they are now.
     */
    List<Message> releaseHeld(Collection<Long> ids, Instant at);

    /** Deletes read and undeliverable messages sent before {@code sentBefore}; returns the count. */
    int deleteFinishedMessages(Instant sentBefore);

    // ---- claims

    /** Stores a claim (its id is ignored) and returns it with its id, greater than every earlier id. */
    Claim insertClaim(Claim claim);

    /** The claims scoped to {@code repoKey}, or every claim when it is null, of any holder, oldest (lowest id) first. */
    List<Claim> claims(String repoKey);

    /** The claims {@code holder} holds, oldest first, expired ones included. */
    List<Claim> claimsOf(PeerId holder);

    /** Deletes the claims of {@code holder} with these ids; other ids are ignored. Returns how many. */
    int deleteClaims(PeerId holder, Collection<Long> ids);

    /**
     * Deletes claims that expired at or before {@code now}, and those of peers gone at or before {@code goneBy};
     * returns how many.
     */
    int deleteEndedClaims(Instant now, Instant goneBy);

    /** Gives every claim of {@code from} to {@code to} (a peer merged into the one it turned out to be). */
    void moveClaims(PeerId from, PeerId to);

    /** Counts for status displays. */
    StoreCounts counts();
}
