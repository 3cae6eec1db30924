package io.agentpeers.store.postgres.internal;

import io.agentpeers.core.Claim;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.KillOutcome;
import io.agentpeers.core.KillRequest;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NameTakenException;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.StoreConflictException;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.core.port.UnreadSummary;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.JdbiException;

/**
 * One unit of work on one connection. Usable only by the thread that opened it and only until the
 * store's call returns; every library failure becomes a {@link StoreException} with its cause.
 */
public final class PostgresTransaction implements StoreTransaction {
    private final PeerDao peers;
    private final MessageDao messages;
    private final ClaimDao claims;
    private final DirectStatements direct;
    private final Thread owner = Thread.currentThread();
    private volatile boolean open = true;

    PostgresTransaction(PeerDao peers, MessageDao messages, ClaimDao claims, DirectStatements direct) {
        this.peers = peers;
        this.messages = messages;
        this.claims = claims;
        this.direct = direct;
    }

    /** Ends this unit of work: any later call fails. */
    public void end() {
        open = false;
    }

    // ---- peers

    @Override
    public void insertPeer(Peer peer) {
        Objects.requireNonNull(peer, "peer");
        refuseNul(peer);
        run("insert peer " + peer.id(), () -> {
            try {
                peers.insert(PeerRow.of(peer));
            } catch (JdbiException e) {
                throw nameTakenOr(e, peer);
            }
            return null;
        });
    }

    @Override
    public void updatePeer(Peer peer) {
        Objects.requireNonNull(peer, "peer");
        refuseNul(peer);
        int changed = run("update peer " + peer.id(), () -> {
            try {
                return peers.update(PeerRow.of(peer));
            } catch (JdbiException e) {
                throw nameTakenOr(e, peer);
            }
        });
        if (changed == 0) {
            throw new StoreException("cannot update peer " + peer.id() + ": no peer has this id");
        }
    }

    @Override
    public Optional<Peer> findPeer(PeerId id) {
        return runDirect("find peer", () -> direct.findPeer(id.value()).map(PeerRow::toPeer));
    }

    @Override
    public List<Peer> findPeersByName(String name) {
        if (hasNul(name)) {
            return List.of();
        }
        return run("find peers by name", () -> toPeers(peers.findByName(name)));
    }

    @Override
    public Optional<Peer> findPeerByResumeSecretHash(String hash) {
        if (hasNul(hash)) {
            return Optional.empty();
        }
        return run(
                "find peer by resume secret",
                () -> peers.findByResumeSecretHash(hash).map(PeerRow::toPeer));
    }

    @Override
    public Optional<Peer> findGonePeerByAgent(long agentPid, long agentStartTicks, ClientType clientType, String cwd) {
        if (hasNul(cwd)) {
            return Optional.empty();
        }
        return run(
                "find gone peer by agent",
                () -> peers.findGoneByAgent(agentPid, agentStartTicks, clientType.wireName(), cwd)
                        .map(PeerRow::toPeer));
    }

    @Override
    public Optional<Peer> findGonePeerBySession(int uid, ClientType clientType, String sessionKey) {
        if (hasNul(sessionKey)) {
            return Optional.empty();
        }
        return run(
                "find gone peer by session",
                () -> peers.findGoneBySession(uid, clientType.wireName(), sessionKey)
                        .map(PeerRow::toPeer));
    }

    @Override
    public List<Peer> livePeers() {
        return run("list live peers", () -> toPeers(peers.live()));
    }

    @Override
    public List<Peer> remotePeers() {
        return run("list the peers of other brokers", () -> toPeers(peers.remote()));
    }

    @Override
    public int markAllLivePeersGone(Instant at, Instant reservedUntil) {
        return run(
                "mark live peers gone", () -> peers.markAllLiveGone(at.toEpochMilli(), reservedUntil.toEpochMilli()));
    }

    @Override
    public List<PeerId> gonePeersWithPendingMessages(Instant goneBefore) {
        return run(
                "list gone peers with pending messages",
                () -> peers.goneWithPendingMessages(goneBefore.toEpochMilli()).stream()
                        .map(PeerId::new)
                        .toList());
    }

    @Override
    public int deleteGonePeers(Instant goneBefore) {
        return run("delete gone peers", () -> peers.deleteGone(goneBefore.toEpochMilli()));
    }

    // ---- messages

    @Override
    public Message insertMessage(NewMessage message) {
        Objects.requireNonNull(message, "message");
        refuseNul("the message text", message.text());
        long id = runDirect(
                "insert a message for " + message.recipient(),
                () -> direct.insertMessage(
                        message.sender().value(),
                        message.recipient().value(),
                        message.text(),
                        message.replyTo(),
                        message.sentAt().toEpochMilli(),
                        message.initialState().wireName(),
                        message.kind().wireName(),
                        message.urgency().wireName()));
        return message.stored(id);
    }

    @Override
    public Optional<Message> findMessage(long id) {
        return run("find message", () -> messages.find(id).map(MessageRow::toMessage));
    }

    @Override
    public List<Message> remoteMail(long afterId, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return run("list mail of other brokers", () -> toMessages(messages.remoteMail(afterId, limit)));
    }

    @Override
    public List<Message> pendingMessages(PeerId recipient, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return runDirect("list pending messages", () -> toMessages(direct.pending(recipient.value(), limit)));
    }

    @Override
    public int countPendingMessages(PeerId recipient) {
        return runDirect("count pending messages", () -> direct.countPending(recipient.value()));
    }

    @Override
    public List<Message> unreadMessages(PeerId recipient, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return run("list unread messages", () -> toMessages(messages.unread(recipient.value(), limit)));
    }

    @Override
    public UnreadSummary summarizeUnread(PeerId recipient, int maxSenders) {
        if (maxSenders < 0) {
            throw new InvalidArgumentException("a limit must not be negative, got " + maxSenders);
        }
        return run("sum up unread messages", () -> {
            String id = recipient.value();
            List<PeerId> senders = maxSenders == 0
                    ? List.of()
                    : messages.unreadSenders(id, maxSenders).stream()
                            .map(PeerId::new)
                            .toList();
            UnreadTotals totals = messages.unreadTotals(id);
            return new UnreadSummary(totals.count(), totals.newest(), totals.newestWaking(), senders);
        });
    }

    @Override
    public int markDelivered(PeerId recipient, Collection<Long> ids, Instant at) {
        Long[] wanted = nonNull(ids);
        if (wanted.length == 0) {
            return 0;
        }
        return run(
                "mark messages delivered", () -> messages.markDelivered(recipient.value(), wanted, at.toEpochMilli()));
    }

    @Override
    public int markRead(PeerId recipient, Collection<Long> ids, Instant at) {
        Long[] wanted = nonNull(ids);
        if (wanted.length == 0) {
            return 0;
        }
        return run("mark messages read", () -> messages.markRead(recipient.value(), wanted, at.toEpochMilli()));
    }

    @Override
    public List<Message> markUndeliverable(PeerId recipient) {
        return run(
                "mark messages undeliverable",
                () -> messages.markUndeliverable(recipient.value()).stream()
                        .map(row -> row.inState(MessageState.PENDING.wireName()).toMessage())
                        .sorted(java.util.Comparator.comparingLong(Message::id))
                        .toList());
    }

    @Override
    public int revivePendingMessages(PeerId recipient) {
        return run("revive messages", () -> messages.revive(recipient.value()));
    }

    @Override
    public void moveMessages(PeerId from, PeerId to) {
        run("move messages", () -> {
            messages.moveSent(from.value(), to.value());
            return messages.moveReceived(from.value(), to.value());
        });
    }

    @Override
    public List<Message> history(PeerId peer, PeerId other, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return run(
                "list history",
                () -> toMessages(
                        other == null
                                ? messages.history(peer.value(), limit)
                                : messages.historyWith(peer.value(), other.value(), limit)));
    }

    @Override
    public Optional<Message> firstReply(long replyTo, PeerId from) {
        return run(
                "find a reply", () -> messages.firstReply(replyTo, from.value()).map(MessageRow::toMessage));
    }

    @Override
    public List<Message> heldMessages(PeerId peer, int limit) {
        return run(
                "list held messages",
                () -> toMessages(peer == null ? messages.allHeld(limit) : messages.heldOf(peer.value(), limit)));
    }

    @Override
    public List<Message> releaseHeld(Collection<Long> ids, Instant at) {
        Long[] wanted = nonNull(ids);
        if (wanted.length == 0) {
            return List.of();
        }
        return run(
                "release held messages",
                () -> messages.release(wanted, at.toEpochMilli()).stream()
                        .map(MessageRow::toMessage)
                        .sorted(java.util.Comparator.comparingLong(Message::id))
                        .toList());
    }

    @Override
    public int deleteFinishedMessages(Instant sentBefore) {
        return run("delete finished messages", () -> messages.deleteFinished(sentBefore.toEpochMilli()));
    }

    // ---- claims

    @Override
    public Claim insertClaim(Claim claim) {
        Objects.requireNonNull(claim, "claim");
        refuseNul("a claim's pattern", claim.pattern());
        refuseNul("a claim's note", claim.note());
        return run(
                "insert a claim of " + claim.holder(),
                () -> claim.withId(claims.insert(
                        claim.holder().value(),
                        claim.repoKey(),
                        claim.pattern(),
                        claim.note(),
                        claim.shared(),
                        claim.claimedAt().toEpochMilli(),
                        claim.expiresAt().toEpochMilli())));
    }

    @Override
    public List<Claim> claims(String repoKey) {
        return run("list claims", () -> repoKey == null ? claims.all() : claims.inRepo(repoKey));
    }

    @Override
    public List<Claim> claimsOf(PeerId holder) {
        return run("list claims of a peer", () -> claims.of(holder.value()));
    }

    @Override
    public int deleteClaims(PeerId holder, Collection<Long> ids) {
        List<Long> all = ids.stream().filter(Objects::nonNull).toList();
        return all.isEmpty() ? 0 : run("delete claims", () -> claims.delete(holder.value(), all));
    }

    @Override
    public int deleteEndedClaims(Instant now, Instant goneBy) {
        return run("delete ended claims", () -> claims.deleteEnded(now.toEpochMilli(), goneBy.toEpochMilli()));
    }

    @Override
    public void moveClaims(PeerId from, PeerId to) {
        run("move claims", () -> claims.move(from.value(), to.value()));
    }

    @Override
    public StoreCounts counts() {
        return run("count", () -> {
            long live = 0;
            long gone = 0;
            for (StateCount c : peers.countByState()) {
                if ("live".equals(c.state())) {
                    live = c.count();
                } else {
                    gone += c.count();
                }
            }
            long[] byState = new long[MessageState.values().length];
            for (StateCount c : messages.countByState()) {
                byState[MessageState.fromWireName(c.state()).ordinal()] = c.count();
            }
            return new StoreCounts(
                    live,
                    gone,
                    byState[MessageState.PENDING.ordinal()],
                    byState[MessageState.DELIVERED.ordinal()],
                    byState[MessageState.READ.ordinal()],
                    byState[MessageState.UNDELIVERABLE.ordinal()]);
        });
    }

    // ---- kills across brokers

    @Override
    public long insertKillRequest(
            PeerId caller, int callerUid, String callerUser, PeerId victim, String holderBrokerId) {
        refuseNul("the caller's user name", callerUser);
        return runDirect(
                "record a kill request for " + victim,
                () -> KillRequests.insert(direct.connection(), caller, callerUid, callerUser, victim, holderBrokerId));
    }

    @Override
    public boolean hasKillRequests() {
        return runDirect("look for kill requests", () -> KillRequests.waiting(direct.connection()));
    }

    @Override
    public List<KillRequest> takeKillRequests(Duration bound) {
        return runDirect("take kill requests", () -> KillRequests.take(direct.connection(), bound.toMillis()));
    }

    @Override
    public void finishKillRequest(long id, KillOutcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        refuseNul("the refusal", outcome.reason());
        int changed =
                runDirect("answer kill request " + id, () -> KillRequests.finish(direct.connection(), id, outcome));
        if (changed == 0) {
            throw new StoreException("cannot answer kill request " + id + ": this broker did not take it");
        }
    }

    @Override
    public boolean voidKillRequest(long id) {
        return runDirect("void kill request " + id, () -> KillRequests.voidIfWaiting(direct.connection(), id));
    }

    @Override
    public Map<Long, KillOutcome> killOutcomes(Collection<Long> ids) {
        return runDirect("read the answers to kill requests", () -> KillRequests.outcomes(direct.connection(), ids));
    }

    // ---- helpers

    private <T> T run(String what, Supplier<T> action) {
        checkUsable();
        try {
            return action.get();
        } catch (JdbiException e) {
            throw new StoreException("the store failed to " + what + ": " + e.getMessage(), e);
        }
    }

    /** A statement of {@link DirectStatements}, on plain JDBC. */
    @FunctionalInterface
    private interface DirectWork<T> {
        T run() throws SQLException;
    }

    private <T> T runDirect(String what, DirectWork<T> action) {
        checkUsable();
        try {
            return action.run();
        } catch (SQLException e) {
            throw new StoreException("the store failed to " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Two brokers that check a name at once both find it free, and the unique index of live names refuses the
     * second insert or rename: the caller hears {@code name_taken}, as when the check itself finds the name.
     */
    private static RuntimeException nameTakenOr(JdbiException e, Peer peer) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.postgresql.util.PSQLException sql
                    && "23505".equals(sql.getSQLState())
                    && sql.getServerErrorMessage() != null
                    && "peers_live_name".equals(sql.getServerErrorMessage().getConstraint())) {
                return new StoreConflictException(
                        new NameTakenException("the name '" + peer.name()
                                + "' was taken a moment ago by a live peer of another broker; choose another name"),
                        e);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return e;
    }

    private void checkUsable() {
        if (!open) {
            throw new IllegalStateException(
                    "this store transaction has ended: use it only inside the call that handed it out");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a store transaction belongs to the thread that opened it");
        }
    }

    /**
     * PostgreSQL's text cannot hold U+0000, which JSON and SQLite can. Refused before the statement
     * with a message that says so, rather than the driver's "invalid byte sequence"; a store failure,
     * not a caller's error, so that the group committer rolls back what the unit wrote before.
     */
    private static void refuseNul(String what, String value) {
        if (hasNul(value)) {
            throw new StoreException(what + " contains the character U+0000, which PostgreSQL cannot store");
        }
    }

    /**
     * A lookup by a value holding U+0000 finds nothing without asking: no stored value holds one, and
     * the statement would fail and abort the transaction, and with it the other writes of its batch.
     */
    private static boolean hasNul(String value) {
        return value != null && value.indexOf('\0') >= 0;
    }

    private static void refuseNul(Peer p) {
        refuseNul("the name", p.name());
        refuseNul("the cwd", p.cwd());
        refuseNul("the git root", p.gitRoot());
        refuseNul("the repo key", p.repoKey());
        refuseNul("the repo remote", p.repoRemote());
        refuseNul("the tty", p.tty());
        refuseNul("the summary", p.summary());
        refuseNul("the session key", p.sessionKey());
    }

    private static Long[] nonNull(Collection<Long> ids) {
        List<Long> all = new ArrayList<>(ids.size());
        for (Long id : ids) {
            if (id != null) {
                all.add(id);
            }
        }
        return all.toArray(new Long[0]);
    }

    private static List<Peer> toPeers(List<PeerRow> rows) {
        return rows.stream().map(PeerRow::toPeer).toList();
    }

    private static List<Message> toMessages(List<MessageRow> rows) {
        return rows.stream().map(MessageRow::toMessage).toList();
    }
}
