package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.Claim;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.core.port.UnreadSummary;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

/**
 * One unit of work on one connection. Usable only by the thread that opened it and only until the
 * store's call returns; every library failure becomes a {@link StoreException} with its cause.
 */
public final class SqliteTransaction implements StoreTransaction {
    /** Ids bound per statement: far below SQLite's limit of bound parameters. */
    private static final int ID_CHUNK = 500;

    private final PeerDao peers;
    private final MessageDao messages;
    private final ClaimDao claims;
    private final DirectStatements direct;
    private final Thread owner = Thread.currentThread();
    private volatile boolean open = true;

    SqliteTransaction(PeerDao peers, MessageDao messages, ClaimDao claims, DirectStatements direct) {
        this.peers = peers;
        this.messages = messages;
        this.claims = claims;
        this.direct = direct;
    }

    /** Ends this unit of work: any later call fails. */
    public void end() {
        open = false;
    }

    /** Rolls back what is open on {@code handle}, recording a failure to do so on {@code cause}. */
    public static void rollbackQuietly(Handle handle, Throwable cause) {
        try {
            handle.execute("ROLLBACK");
        } catch (RuntimeException e) {
            // "no transaction is active" after a failed COMMIT that already ended it, or a dead connection.
            cause.addSuppressed(e);
        }
    }

    // ---- peers

    @Override
    public void insertPeer(Peer peer) {
        Objects.requireNonNull(peer, "peer");
        runDirect("insert peer " + peer.id(), () -> {
            direct.peers().insert(PeerRow.of(peer));
            return null;
        });
    }

    @Override
    public void updatePeer(Peer peer) {
        Objects.requireNonNull(peer, "peer");
        int changed = runDirect("update peer " + peer.id(), () -> direct.peers().update(PeerRow.of(peer)));
        if (changed == 0) {
            throw new StoreException("cannot update peer " + peer.id() + ": no peer has this id");
        }
    }

    @Override
    public Optional<Peer> findPeer(PeerId id) {
        return runDirect("find peer", () -> direct.peers().find(id.value()).map(PeerRow::toPeer));
    }

    @Override
    public List<Peer> findPeersByName(String name) {
        return runDirect("find peers by name", () -> toPeers(direct.peers().findByName(name)));
    }

    @Override
    public Optional<Peer> findPeerByResumeSecretHash(String hash) {
        return runDirect(
                "find peer by resume secret",
                () -> direct.peers().findByResumeSecretHash(hash).map(PeerRow::toPeer));
    }

    @Override
    public Optional<Peer> findGonePeerByAgent(long agentPid, long agentStartTicks, ClientType clientType, String cwd) {
        return runDirect(
                "find gone peer by agent",
                () -> direct.peers()
                        .findGoneByAgent(agentPid, agentStartTicks, clientType.wireName(), cwd)
                        .map(PeerRow::toPeer));
    }

    @Override
    public Optional<Peer> findGonePeerBySession(int uid, ClientType clientType, String sessionKey) {
        return runDirect(
                "find gone peer by session",
                () -> direct.peers()
                        .findGoneBySession(uid, clientType.wireName(), sessionKey)
                        .map(PeerRow::toPeer));
    }

    @Override
    public List<Peer> livePeers() {
        return run("list live peers", () -> toPeers(peers.live()));
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
        checkUsable();
        try {
            long id = direct.insertMessage(
                    message.sender().value(),
                    message.recipient().value(),
                    message.text(),
                    message.replyTo(),
                    message.sentAt().toEpochMilli(),
                    message.initialState().wireName(),
                    message.kind().wireName(),
                    message.urgency().wireName());
            return message.stored(id);
        } catch (SQLException e) {
            throw new StoreException(
                    "the store failed to insert a message for " + message.recipient() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Message> findMessage(long id) {
        return run("find message", () -> messages.find(id).map(MessageRow::toMessage));
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
        long millis = at.toEpochMilli();
        return run(
                "mark messages delivered",
                () -> inChunks(ids, chunk -> messages.markDelivered(recipient.value(), chunk, millis)));
    }

    @Override
    public int markRead(PeerId recipient, Collection<Long> ids, Instant at) {
        long millis = at.toEpochMilli();
        return run(
                "mark messages read",
                () -> inChunks(ids, chunk -> messages.markRead(recipient.value(), chunk, millis)));
    }

    @Override
    public List<Message> markUndeliverable(PeerId recipient) {
        return run("mark messages undeliverable", () -> {
            List<Message> pending = toMessages(messages.allPending(recipient.value()));
            if (!pending.isEmpty()) {
                messages.markUndeliverable(recipient.value());
            }
            return pending;
        });
    }

    @Override
    public int revivePendingMessages(PeerId recipient) {
        return runDirect("revive messages", () -> direct.revive(recipient.value()));
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
        long millis = at.toEpochMilli();
        return run("release held messages", () -> {
            List<Message> released = new ArrayList<>();
            inChunks(ids, chunk -> {
                List<Long> held = messages.findAll(chunk).stream()
                        .filter(row -> row.state().equals(MessageState.HELD.wireName()))
                        .map(MessageRow::id)
                        .toList();
                if (!held.isEmpty()) {
                    messages.release(held, millis);
                    released.addAll(toMessages(messages.findAll(held)));
                }
                return held.size();
            });
            return released;
        });
    }

    @Override
    public int deleteFinishedMessages(Instant sentBefore) {
        return run("delete finished messages", () -> messages.deleteFinished(sentBefore.toEpochMilli()));
    }

    // ---- claims

    @Override
    public Claim insertClaim(Claim claim) {
        Objects.requireNonNull(claim, "claim");
        return run(
                "insert a claim of " + claim.holder(),
                () -> claim.withId(claims.insert(
                        claim.holder().value(),
                        claim.repoKey(),
                        claim.pattern(),
                        claim.note(),
                        claim.shared() ? 1 : 0,
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
        return run("delete claims", () -> inChunks(ids, chunk -> claims.delete(holder.value(), chunk)));
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

    private void checkUsable() {
        if (!open) {
            throw new IllegalStateException(
                    "this store transaction has ended: use it only inside the call that handed it out");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a store transaction belongs to the thread that opened it");
        }
    }

    private interface ChunkUpdate {
        int apply(List<Long> chunk);
    }

    private static int inChunks(Collection<Long> ids, ChunkUpdate update) {
        List<Long> all = new ArrayList<>(ids.size());
        for (Long id : ids) {
            if (id != null) {
                all.add(id);
            }
        }
        int changed = 0;
        for (int from = 0; from < all.size(); from += ID_CHUNK) {
            changed += update.apply(all.subList(from, Math.min(all.size(), from + ID_CHUNK)));
        }
        return changed;
    }

    private static List<Peer> toPeers(List<PeerRow> rows) {
        return rows.stream().map(PeerRow::toPeer).toList();
    }

    private static List<Message> toMessages(List<MessageRow> rows) {
        return rows.stream().map(MessageRow::toMessage).toList();
    }
}
