package io.agentpeers.store.memory;

import io.agentpeers.core.Claim;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.Urgency;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.core.port.UnreadSummary;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * A {@link PeerStore} in the heap: a real store for tests and embedded use, not a mock. Nothing
 * survives {@link #close()} or the process.
 *
 * <p>Write transactions hold the write lock of a {@link ReentrantReadWriteLock} and keep an undo log
 * of every change, replayed backwards when the work throws; reads take the read lock, so a read
 * waits for a running write and then sees its committed result. Like the durable stores, it keeps
 * instants at millisecond precision (the finer part is dropped on the way in), requires a message's
 * recipient to be a stored peer, and refuses a second live peer with the same name.
 *
 * <p>Stricter than the port requires, to catch misuse early: a transaction used after its call
 * returned or from another thread, a write through {@link #read}, and a transaction or read started
 * inside a write transaction all throw {@link IllegalStateException}.
 */
public final class InMemoryPeerStore implements PeerStore {
    private static final Comparator<Peer> BY_REGISTRATION =
            Comparator.comparing(Peer::registeredAt).thenComparing(Peer::id);
    private static final Comparator<Peer> MOST_RECENTLY_GONE_FIRST = Comparator.comparing(
                    Peer::goneAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(Peer::id)
            .reversed();

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Written under the write lock; volatile so that a read can fail fast without the lock. */
    private volatile boolean closed;

    // Everything below is guarded by the lock: written only under the write lock.
    private final Map<PeerId, Peer> peers = new HashMap<>();
    private final Map<Long, Message> messages = new HashMap<>();
    /** Ids of the messages addressed to a peer, by state, ascending. */
    private final Map<PeerId, EnumMap<MessageState, NavigableSet<Long>>> byRecipient = new HashMap<>();
    /** Ids of the messages a peer sent or received, ascending. */
    private final Map<PeerId, NavigableSet<Long>> byParticipant = new HashMap<>();

    private final EnumMap<MessageState, Set<Long>> byState = new EnumMap<>(MessageState.class);
    private long lastMessageId;
    /** Claims by id, ascending. */
    private final TreeMap<Long, Claim> claims = new TreeMap<>();

    private long lastClaimId;
    /** Inverse of every change of the running write transaction, newest first. */
    private final Deque<Runnable> undo = new ArrayDeque<>();

    /** An empty store; nothing to open, nothing kept after the program ends. */
    public InMemoryPeerStore() {
        for (MessageState state : MessageState.values()) {
            byState.put(state, new HashSet<>());
        }
    }

    @Override
    public <T> T inTransaction(StoreWork<T> work) {
        Objects.requireNonNull(work, "work");
        if (lock.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("transactions do not nest: do all the work in the outer transaction");
        }
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("a write transaction cannot start inside a read");
        }
        lock.writeLock().lock();
        try {
            ensureOpen();
            long idBefore = lastMessageId;
            long claimIdBefore = lastClaimId;
            Tx tx = new Tx(true);
            boolean committed = false;
            try {
                T result = work.run(tx);
                committed = true;
                return result;
            } finally {
                tx.open = false;
                if (!committed) {
                    while (!undo.isEmpty()) {
                        undo.pop().run();
                    }
                    lastMessageId = idBefore;
                    lastClaimId = claimIdBefore;
                }
                undo.clear();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public <T> T read(StoreWork<T> work) {
        Objects.requireNonNull(work, "work");
        if (lock.isWriteLockedByCurrentThread()) {
            // It would see uncommitted writes here, unlike a durable store's separate reader.
            throw new IllegalStateException("read() inside a write transaction: use that transaction instead");
        }
        ensureOpen();
        lock.readLock().lock();
        try {
            ensureOpen();
            Tx tx = new Tx(false);
            try {
                return work.run(tx);
            } finally {
                tx.open = false;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Waits for a running write, then drops everything; idempotent. */
    @Override
    public void close() {
        if (lock.isWriteLockedByCurrentThread() || lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("close() inside a transaction");
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            peers.clear();
            messages.clear();
            byRecipient.clear();
            byParticipant.clear();
            byState.values().forEach(Set::clear);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "InMemoryPeerStore";
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("the in-memory store is closed");
        }
    }

    // ---------------------------------------------------------------- changes and their undo

    private void setPeer(PeerId id, Peer value) {
        Peer old = value == null ? peers.remove(id) : peers.put(id, value);
        undo.push(() -> {
            if (old == null) {
                peers.remove(id);
            } else {
                peers.put(id, old);
            }
        });
    }

    private void setClaim(long id, Claim value) {
        Claim old = value == null ? claims.remove(id) : claims.put(id, value);
        undo.push(() -> {
            if (old == null) {
                claims.remove(id);
            } else {
                claims.put(id, old);
            }
        });
    }

    private void setMessage(long id, Message value) {
        Message old = applyMessage(id, value);
        undo.push(() -> applyMessage(id, old));
    }

    /** Puts (or removes, for null) one message and keeps the indexes in step; returns the old one. */
    private Message applyMessage(long id, Message value) {
        Message old = value == null ? messages.remove(id) : messages.put(id, value);
        if (old != null) {
            unindex(old);
        }
        if (value != null) {
            index(value);
        }
        return old;
    }

    private void index(Message m) {
        byRecipient
                .computeIfAbsent(m.recipient(), r -> new EnumMap<>(MessageState.class))
                .computeIfAbsent(m.state(), s -> new TreeSet<>())
                .add(m.id());
        byParticipant.computeIfAbsent(m.sender(), p -> new TreeSet<>()).add(m.id());
        byParticipant.computeIfAbsent(m.recipient(), p -> new TreeSet<>()).add(m.id());
        byState.get(m.state()).add(m.id());
    }

    private void unindex(Message m) {
        EnumMap<MessageState, NavigableSet<Long>> states = byRecipient.get(m.recipient());
        NavigableSet<Long> ids = states.get(m.state());
        ids.remove(m.id());
        if (ids.isEmpty()) {
            states.remove(m.state());
            if (states.isEmpty()) {
                byRecipient.remove(m.recipient());
            }
        }
        removeParticipant(m.sender(), m.id());
        removeParticipant(m.recipient(), m.id());
        byState.get(m.state()).remove(m.id());
    }

    private void removeParticipant(PeerId peer, long id) {
        NavigableSet<Long> ids = byParticipant.get(peer);
        if (ids != null) {
            ids.remove(id);
            if (ids.isEmpty()) {
                byParticipant.remove(peer);
            }
        }
    }

    private NavigableSet<Long> idsTo(PeerId recipient, MessageState state) {
        EnumMap<MessageState, NavigableSet<Long>> states = byRecipient.get(recipient);
        NavigableSet<Long> ids = states == null ? null : states.get(state);
        return ids == null ? new TreeSet<>() : ids;
    }

    private static Instant millis(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
    }

    private static Peer normalized(Peer p) {
        return new Peer(
                p.id(),
                p.name(),
                p.connection(),
                p.agent(),
                p.cwd(),
                p.gitRoot(),
                p.repoKey(),
                p.repoRemote(),
                p.tty(),
                p.clientType(),
                p.summary(),
                millis(p.registeredAt()),
                millis(p.lastSeen()),
                p.state(),
                millis(p.goneAt()),
                millis(p.nameReservedUntil()),
                p.resumeSecretHash(),
                p.previousSecretHash(),
                p.sessionKey());
    }

    private static Message withState(Message m, MessageState state, Instant deliveredAt, Instant readAt) {
        return m.withState(state, deliveredAt, readAt);
    }

    private static void checkLimit(int limit) {
        if (limit < 0) {
            throw new InvalidArgumentException("a limit must not be negative, got " + limit);
        }
    }

    // ---------------------------------------------------------------- the transaction

    private final class Tx implements StoreTransaction {
        private final Thread owner = Thread.currentThread();
        private final boolean writable;
        private volatile boolean open = true;

        Tx(boolean writable) {
            this.writable = writable;
        }

        private void check() {
            if (!open || Thread.currentThread() != owner) {
                throw new IllegalStateException(
                        "a store transaction is valid only inside its own call, on the thread that made it");
            }
        }

        private void checkWritable() {
            check();
            if (!writable) {
                throw new IllegalStateException("read() hands out a read-only transaction: write in inTransaction()");
            }
        }

        // ---- peers

        @Override
        public void insertPeer(Peer peer) {
            checkWritable();
            Objects.requireNonNull(peer, "peer");
            if (peers.containsKey(peer.id())) {
                throw new StoreException("a peer with the id " + peer.id() + " is already stored");
            }
            checkLiveName(peer);
            setPeer(peer.id(), normalized(peer));
        }

        @Override
        public void updatePeer(Peer peer) {
            checkWritable();
            Objects.requireNonNull(peer, "peer");
            if (!peers.containsKey(peer.id())) {
                throw new StoreException("no stored peer has the id " + peer.id() + " to update");
            }
            checkLiveName(peer);
            setPeer(peer.id(), normalized(peer));
        }

        private void checkLiveName(Peer peer) {
            if (!peer.live() || peer.name() == null) {
                return;
            }
            for (Peer other : peers.values()) {
                if (other.live()
                        && peer.name().equals(other.name())
                        && !other.id().equals(peer.id())) {
                    throw new StoreException("the live peer " + other.id() + " already has the name " + peer.name());
                }
            }
        }

        @Override
        public Optional<Peer> findPeer(PeerId id) {
            check();
            return Optional.ofNullable(peers.get(id));
        }

        @Override
        public List<Peer> findPeersByName(String name) {
            check();
            return peersWhere(p -> name != null && name.equals(p.name()), BY_REGISTRATION.reversed());
        }

        @Override
        public Optional<Peer> findPeerByResumeSecretHash(String hash) {
            check();
            return peersWhere(
                            p -> hash != null
                                    && (hash.equals(p.resumeSecretHash()) || hash.equals(p.previousSecretHash())),
                            BY_REGISTRATION.reversed())
                    .stream()
                    .findFirst();
        }

        @Override
        public Optional<Peer> findGonePeerBySession(int uid, ClientType clientType, String sessionKey) {
            check();
            return peersWhere(
                            p -> !p.live()
                                    && sessionKey != null
                                    && sessionKey.equals(p.sessionKey())
                                    && p.clientType() == clientType
                                    && p.connection() != null
                                    && p.connection().uid() == uid,
                            MOST_RECENTLY_GONE_FIRST)
                    .stream()
                    .findFirst();
        }

        @Override
        public Optional<Peer> findGonePeerByAgent(
                long agentPid, long agentStartTicks, ClientType clientType, String cwd) {
            check();
            return peersWhere(
                            p -> !p.live()
                                    && p.agent() != null
                                    && p.agent().pid() == agentPid
                                    && p.agent().startTicks() == agentStartTicks
                                    && p.clientType() == clientType
                                    && p.cwd().equals(cwd),
                            MOST_RECENTLY_GONE_FIRST)
                    .stream()
                    .findFirst();
        }

        @Override
        public List<Peer> livePeers() {
            check();
            return peersWhere(Peer::live, BY_REGISTRATION);
        }

        private List<Peer> peersWhere(Predicate<Peer> filter, Comparator<Peer> order) {
            List<Peer> found = new ArrayList<>();
            for (Peer p : peers.values()) {
                if (filter.test(p)) {
                    found.add(p);
                }
            }
            found.sort(order);
            return found;
        }

        @Override
        public int markAllLivePeersGone(Instant at, Instant reservedUntil) {
            checkWritable();
            List<Peer> live = peersWhere(Peer::live, BY_REGISTRATION);
            for (Peer p : live) {
                setPeer(p.id(), normalized(p.gone(at, reservedUntil)));
            }
            return live.size();
        }

        @Override
        public List<PeerId> gonePeersWithPendingMessages(Instant goneBefore) {
            check();
            List<PeerId> ids = new ArrayList<>();
            for (Peer p : peersWhere(p -> goneBefore(p, goneBefore), Comparator.comparing(Peer::id))) {
                if (!idsTo(p.id(), MessageState.PENDING).isEmpty()) {
                    ids.add(p.id());
                }
            }
            return ids;
        }

        @Override
        public int deleteGonePeers(Instant goneBefore) {
            checkWritable();
            int deleted = 0;
            for (Peer p : peersWhere(p -> goneBefore(p, goneBefore), Comparator.comparing(Peer::id))) {
                if (!idsTo(p.id(), MessageState.PENDING).isEmpty()
                        || !idsTo(p.id(), MessageState.DELIVERED).isEmpty()) {
                    continue;
                }
                EnumMap<MessageState, NavigableSet<Long>> states = byRecipient.get(p.id());
                if (states != null) {
                    List<Long> addressed = new ArrayList<>();
                    states.values().forEach(addressed::addAll);
                    for (long id : addressed) {
                        setMessage(id, null);
                    }
                }
                for (Claim claim : List.copyOf(claims.values())) {
                    if (claim.holder().equals(p.id())) {
                        setClaim(claim.id(), null);
                    }
                }
                setPeer(p.id(), null);
                deleted++;
            }
            return deleted;
        }

        private boolean goneBefore(Peer p, Instant limit) {
            return !p.live() && p.goneAt() != null && p.goneAt().isBefore(limit);
        }

        // ---- messages

        @Override
        public Message insertMessage(NewMessage message) {
            checkWritable();
            Objects.requireNonNull(message, "message");
            if (!peers.containsKey(message.recipient())) {
                throw new StoreException(
                        "cannot store a message to " + message.recipient() + ": no such peer is stored");
            }
            long id = lastMessageId + 1;
            Message stored = new NewMessage(
                            message.sender(),
                            message.recipient(),
                            message.text(),
                            message.replyTo(),
                            millis(message.sentAt()),
                            message.kind(),
                            message.urgency(),
                            message.held())
                    .stored(id);
            setMessage(id, stored);
            lastMessageId = id;
            return stored;
        }

        @Override
        public Optional<Message> findMessage(long id) {
            check();
            return Optional.ofNullable(messages.get(id));
        }

        @Override
        public List<Message> pendingMessages(PeerId recipient, int limit) {
            check();
            checkLimit(limit);
            List<Message> found = new ArrayList<>(Math.min(limit, 64));
            for (Iterator<Long> it = idsTo(recipient, MessageState.PENDING).iterator();
                    it.hasNext() && found.size() < limit; ) {
                found.add(messages.get(it.next()));
            }
            return found;
        }

        @Override
        public int countPendingMessages(PeerId recipient) {
            check();
            return idsTo(recipient, MessageState.PENDING).size();
        }

        @Override
        public UnreadSummary summarizeUnread(PeerId recipient, int maxSenders) {
            check();
            checkLimit(maxSenders);
            TreeSet<Long> ids = new TreeSet<>(idsTo(recipient, MessageState.PENDING));
            ids.addAll(idsTo(recipient, MessageState.DELIVERED));
            LinkedHashSet<PeerId> senders = new LinkedHashSet<>();
            for (long id : ids) {
                if (senders.size() >= maxSenders) {
                    break;
                }
                senders.add(messages.get(id).sender());
            }
            long newestWaking = 0;
            for (long id : ids.descendingSet()) {
                if (messages.get(id).urgency() != Urgency.FYI) {
                    newestWaking = id;
                    break;
                }
            }
            return new UnreadSummary(ids.size(), ids.isEmpty() ? 0 : ids.last(), newestWaking, List.copyOf(senders));
        }

        @Override
        public List<Message> unreadMessages(PeerId recipient, int limit) {
            check();
            checkLimit(limit);
            Iterator<Long> pending = idsTo(recipient, MessageState.PENDING).iterator();
            Iterator<Long> delivered = idsTo(recipient, MessageState.DELIVERED).iterator();
            Long p = pending.hasNext() ? pending.next() : null;
            Long d = delivered.hasNext() ? delivered.next() : null;
            List<Message> found = new ArrayList<>(Math.min(limit, 64));
            while (found.size() < limit && (p != null || d != null)) {
                if (d == null || (p != null && p < d)) {
                    found.add(messages.get(p));
                    p = pending.hasNext() ? pending.next() : null;
                } else {
                    found.add(messages.get(d));
                    d = delivered.hasNext() ? delivered.next() : null;
                }
            }
            return found;
        }

        @Override
        public int markDelivered(PeerId recipient, Collection<Long> ids, Instant at) {
            checkWritable();
            int changed = 0;
            for (Long id : ids) {
                Message m = id == null ? null : messages.get(id);
                if (m != null && m.recipient().equals(recipient) && m.state() == MessageState.PENDING) {
                    setMessage(id, withState(m, MessageState.DELIVERED, millis(at), m.readAt()));
                    changed++;
                }
            }
            return changed;
        }

        @Override
        public int markRead(PeerId recipient, Collection<Long> ids, Instant at) {
            checkWritable();
            int changed = 0;
            for (Long id : ids) {
                Message m = id == null ? null : messages.get(id);
                if (m != null && m.recipient().equals(recipient) && m.unread()) {
                    Instant deliveredAt = m.deliveredAt() != null ? m.deliveredAt() : millis(at);
                    setMessage(id, withState(m, MessageState.READ, deliveredAt, millis(at)));
                    changed++;
                }
            }
            return changed;
        }

        @Override
        public List<Message> markUndeliverable(PeerId recipient) {
            checkWritable();
            List<Message> was = new ArrayList<>();
            for (long id : new ArrayList<>(idsTo(recipient, MessageState.PENDING))) {
                Message m = messages.get(id);
                was.add(m);
                setMessage(id, withState(m, MessageState.UNDELIVERABLE, m.deliveredAt(), m.readAt()));
            }
            return was;
        }

        @Override
        public int revivePendingMessages(PeerId recipient) {
            checkWritable();
            List<Long> ids = new ArrayList<>(idsTo(recipient, MessageState.UNDELIVERABLE));
            for (long id : ids) {
                Message m = messages.get(id);
                setMessage(id, withState(m, MessageState.PENDING, m.deliveredAt(), m.readAt()));
            }
            return ids.size();
        }

        @Override
        public void moveMessages(PeerId from, PeerId to) {
            checkWritable();
            List<Long> ids = new ArrayList<>(byParticipant.getOrDefault(from, new TreeSet<>()));
            for (long id : ids) {
                Message m = messages.get(id);
                setMessage(
                        id,
                        new Message(
                                m.id(),
                                m.sender().equals(from) ? to : m.sender(),
                                m.recipient().equals(from) ? to : m.recipient(),
                                m.text(),
                                m.replyTo(),
                                m.sentAt(),
                                m.deliveredAt(),
                                m.readAt(),
                                m.state(),
                                m.kind(),
                                m.urgency(),
                                m.releasedAt()));
            }
        }

        @Override
        public Optional<Message> firstReply(long replyTo, PeerId from) {
            check();
            for (long id : byParticipant.getOrDefault(from, new TreeSet<>())) {
                Message m = messages.get(id);
                if (m.sender().equals(from)
                        && m.replyTo() != null
                        && m.replyTo() == replyTo
                        && m.state() != MessageState.HELD) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }

        @Override
        public List<Message> heldMessages(PeerId peer, int limit) {
            check();
            checkLimit(limit);
            return byState.get(MessageState.HELD).stream()
                    .sorted()
                    .map(messages::get)
                    .filter(m -> peer == null
                            || m.sender().equals(peer)
                            || m.recipient().equals(peer))
                    .limit(limit)
                    .toList();
        }

        @Override
        public List<Message> releaseHeld(Collection<Long> ids, Instant at) {
            checkWritable();
            List<Message> released = new ArrayList<>();
            for (Long id : new TreeSet<>(ids)) {
                Message m = messages.get(id);
                if (m != null && m.state() == MessageState.HELD) {
                    Message now = m.released(millis(at));
                    setMessage(id, now);
                    released.add(now);
                }
            }
            return released;
        }

        @Override
        public List<Message> history(PeerId peer, PeerId other, int limit) {
            check();
            checkLimit(limit);
            NavigableSet<Long> candidates = byParticipant.getOrDefault(peer, new TreeSet<>());
            if (other != null) {
                // Messages between the two are in both sets: walk the smaller.
                NavigableSet<Long> ofOther = byParticipant.getOrDefault(other, new TreeSet<>());
                if (ofOther.size() < candidates.size()) {
                    candidates = ofOther;
                }
            }
            List<Message> found = new ArrayList<>(Math.min(limit, 64));
            for (Iterator<Long> it = candidates.descendingIterator(); it.hasNext() && found.size() < limit; ) {
                Message m = messages.get(it.next());
                boolean between = other == null
                        || (m.sender().equals(peer) && m.recipient().equals(other))
                        || (m.sender().equals(other) && m.recipient().equals(peer));
                if (between) {
                    found.add(m);
                }
            }
            return found;
        }

        @Override
        public int deleteFinishedMessages(Instant sentBefore) {
            checkWritable();
            List<Long> old = new ArrayList<>();
            for (MessageState state : List.of(MessageState.READ, MessageState.UNDELIVERABLE)) {
                for (long id : byState.get(state)) {
                    if (messages.get(id).sentAt().isBefore(sentBefore)) {
                        old.add(id);
                    }
                }
            }
            for (long id : old) {
                setMessage(id, null);
            }
            return old.size();
        }

        @Override
        public Claim insertClaim(Claim claim) {
            checkWritable();
            Objects.requireNonNull(claim, "claim");
            if (!peers.containsKey(claim.holder())) {
                throw new StoreException("cannot store a claim of " + claim.holder() + ": no peer has this id");
            }
            long id = ++lastClaimId;
            Claim stored = new Claim(
                            0,
                            claim.holder(),
                            claim.repoKey(),
                            claim.pattern(),
                            claim.note(),
                            claim.shared(),
                            millis(claim.claimedAt()),
                            millis(claim.expiresAt()))
                    .withId(id);
            setClaim(id, stored);
            return stored;
        }

        @Override
        public List<Claim> claims(String repoKey) {
            check();
            return claims.values().stream()
                    .filter(c -> repoKey == null || c.repoKey().equals(repoKey))
                    .toList();
        }

        @Override
        public List<Claim> claimsOf(PeerId holder) {
            check();
            return claims.values().stream()
                    .filter(c -> c.holder().equals(holder))
                    .toList();
        }

        @Override
        public int deleteClaims(PeerId holder, Collection<Long> ids) {
            checkWritable();
            int deleted = 0;
            for (Long id : new LinkedHashSet<>(ids)) {
                Claim claim = id == null ? null : claims.get(id);
                if (claim != null && claim.holder().equals(holder)) {
                    setClaim(id, null);
                    deleted++;
                }
            }
            return deleted;
        }

        @Override
        public int deleteEndedClaims(Instant now, Instant goneBy) {
            checkWritable();
            int deleted = 0;
            for (Claim claim : List.copyOf(claims.values())) {
                Peer holder = peers.get(claim.holder());
                boolean holderEnded = holder != null
                        && !holder.live()
                        && holder.goneAt() != null
                        && !holder.goneAt().isAfter(goneBy);
                if (!claim.expiresAt().isAfter(now) || holderEnded) {
                    setClaim(claim.id(), null);
                    deleted++;
                }
            }
            return deleted;
        }

        @Override
        public void moveClaims(PeerId from, PeerId to) {
            checkWritable();
            for (Claim c : List.copyOf(claims.values())) {
                if (c.holder().equals(from)) {
                    setClaim(
                            c.id(),
                            new Claim(
                                    c.id(),
                                    to,
                                    c.repoKey(),
                                    c.pattern(),
                                    c.note(),
                                    c.shared(),
                                    c.claimedAt(),
                                    c.expiresAt()));
                }
            }
        }

        @Override
        public StoreCounts counts() {
            check();
            long live = peers.values().stream().filter(Peer::live).count();
            return new StoreCounts(
                    live,
                    peers.size() - live,
                    byState.get(MessageState.PENDING).size(),
                    byState.get(MessageState.DELIVERED).size(),
                    byState.get(MessageState.READ).size(),
                    byState.get(MessageState.UNDELIVERABLE).size());
        }
    }
}
