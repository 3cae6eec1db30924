package io.agentpeers.core;

import io.agentpeers.core.PeersEvent.MessageSent;
import io.agentpeers.core.PeersEvent.MessagesStateChanged;
import io.agentpeers.core.PeersEvent.PeerJoined;
import io.agentpeers.core.PeersEvent.PeerKilled;
import io.agentpeers.core.PeersEvent.PeerLeft;
import io.agentpeers.core.PeersEvent.PeerUpdated;
import io.agentpeers.core.port.CommitListener;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.ProcessControl;
import io.agentpeers.core.port.ProcessControl.ProcessInfo;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.core.port.UnreadSummary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The use cases of peers: every rule of the network, applied over a {@link PeerStore}.
 *
 * <p>The broker's dispatcher and Java programs that embed a broker call it; the caller of each
 * method is the peer that the transport identified, never a field of a request. Writes from many
 * threads are grouped into shared transactions by one writer thread; reads run on the caller's
 * thread. After each commit the {@link CommitListener} hears what changed.
 *
 * <p>When the store reports that it was lost ({@link StoreLostException}), every later write and read
 * fails with it at once, and the loss listener hears it once: a host should stop and start afresh.
 *
 * <p>Thread-safe. {@link #start()} before use; {@link #close()} stops the writer (the store is the
 * caller's to close).
 */
public final class PeerNetwork implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");
    private static final String RESERVED_NAME = PeerId.BROKER.value();

    /** How many processes {@link #agentUnread} looks at, the caller included: a hook, its shell, the agent, and some. */
    public static final int MAX_AGENT_DEPTH = 6;

    /** How long a kill of another broker's peer waits for that broker's answer. */
    public static final Duration KILL_WAIT = RemoteKills.BOUND;

    private final PeerStore store;
    private final ProcessControl processes;
    private final InstantSource clock;
    private final PeersLimits limits;
    private final RateLimiter rateLimiter;
    private final GroupCommitter committer;
    private final LivePeers live = new LivePeers();
    private final StopBlocks stopBlocks = new StopBlocks();
    private final ExchangeGuard exchanges;
    private final AtomicBoolean started = new AtomicBoolean();
    /** Peers whose connection closed while the store was unavailable: still live in the store. */
    private final Set<PeerId> owedDepartures = ConcurrentHashMap.newKeySet();

    private final CommitListener outside;
    private final RemoteKills remoteKills;
    private volatile boolean closed;

    /**
     * The network over {@code store}; nothing runs until {@link #start()}.
     *
     * @param store     where peers and messages live; stays the caller's to close
     * @param processes what the system says about the processes of verified peers
     * @param clock     the time of every stamp and period, cut to milliseconds
     * @param limits    sizes, rates and periods
     * @param listener  told what each commit changed, or {@code null} for nobody
     */
    public PeerNetwork(
            PeerStore store,
            ProcessControl processes,
            InstantSource clock,
            PeersLimits limits,
            CommitListener listener) {
        this(store, processes, clock, limits, listener, lost -> {});
    }

    /**
     * The network over {@code store}, with someone to tell when the store is lost.
     *
     * @param onStoreLost told once when the store reported that it was lost, on the thread that met it
     *                    (the writer's or a reader's): must return quickly and must not throw
     * @see #PeerNetwork(PeerStore, ProcessControl, InstantSource, PeersLimits, CommitListener)
     */
    public PeerNetwork(
            PeerStore store,
            ProcessControl processes,
            InstantSource clock,
            PeersLimits limits,
            CommitListener listener,
            Consumer<? super StoreLostException> onStoreLost) {
        Objects.requireNonNull(onStoreLost, "onStoreLost");
        this.store = Objects.requireNonNull(store, "store");
        this.processes = Objects.requireNonNull(processes, "processes");
        Objects.requireNonNull(clock, "clock");
        // Stores keep milliseconds; cutting here keeps what a caller gets equal to what it reads back.
        this.clock = () -> clock.instant().truncatedTo(ChronoUnit.MILLIS);
        this.limits = Objects.requireNonNull(limits, "limits");
        this.rateLimiter = new RateLimiter(clock, limits.ratePerMinute(), limits.rateBurst());
        this.exchanges = new ExchangeGuard(limits.maxExchanges(), limits.exchangeWindow());
        CommitListener outside = listener == null ? CommitListener.NONE : listener;
        this.outside = outside;
        // The registry follows each commit before the committer completes its callers or tells others.
        this.committer = new GroupCommitter(
                store,
                events -> {
                    live.apply(events);
                    outside.committed(events);
                },
                onStoreLost,
                limits.maxBatch());
        this.remoteKills = new RemoteKills(
                new RemoteKills.Store() {
                    @Override
                    public <T> T read(Function<StoreTransaction, T> work) {
                        return PeerNetwork.this.read(work::apply);
                    }

                    @Override
                    public <T> T write(Function<StoreTransaction, T> work) {
                        return PeerNetwork.this.write((tx, events) -> work.apply(tx));
                    }
                },
                RemoteKills.BOUND);
    }

    /**
     * Starts the writer and marks every peer that a previous broker left live as gone: no connection
     * holds them now, and their agents may resume them.
     *
     * @return how many peers a previous run left live
     */
    public int start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        committer.start();
        store.onLost(committer::storeLost);
        int leftover = write((tx, events) -> {
            Instant now = clock.instant();
            return tx.markAllLivePeersGone(now, now.plus(limits.nameGrace()));
        });
        if (store.shared()) {
            store.onRemoteCommit(remoteBell());
        }
        return leftover;
    }

    /**
     * What rings when another broker of a shared store committed something for this one: mail for its peers
     * goes out as the events of a local send would (pushes, long polls, answers); kill requests for its peers
     * are carried out or refused; answers to this broker's kill requests reach their callers. A failed read
     * is retried at the next ring (the store's fallback poll); each part fails apart from the others.
     */
    private Runnable remoteBell() {
        RemoteMail mail = new RemoteMail(
                (afterId, limit) -> read(tx -> tx.remoteMail(afterId, limit)), this::tellOutside, System::nanoTime);
        return () -> {
            for (Runnable part : List.<Runnable>of(mail, this::takeKillRequests, remoteKills::ring)) {
                if (closed) {
                    return;
                }
                try {
                    part.run();
                } catch (PeersException e) {
                    // The next ring reads again; a lost store has told its listener already.
                }
            }
        };
    }

    /** Hands events that no commit of this broker made (another broker's) to the listener. */
    private void tellOutside(List<PeersEvent> events) {
        try {
            outside.committed(events);
        } catch (RuntimeException ignored) {
            // The listener's contract forbids throwing (a host closing its pushes may still).
        }
    }

    /** The limits this network enforces. */
    public PeersLimits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- registration

    /**
     * Registers the holder of a connection: takes back the earlier peer its secret names, or else the gone
     * peer of the same agent session (uid, client type, session key), of the same verified agent process
     * (client type and cwd too), or of the name it asks for (same uid and client type); or makes a new one.
     * See {@link #resumable}.
     *
     * @param credentials the connection's credentials from the transport, or {@code null} when it has
     *                    none (TCP): the peer is then unverified
     */
    public Registration register(Credentials credentials, RegisterRequest request) {
        Objects.requireNonNull(request, "request");
        ProcessRef connection = null;
        ProcessRef agent = null;
        if (credentials != null) {
            connection = processes
                    .inspect(credentials.pid())
                    .map(ProcessInfo::ref)
                    .orElseThrow(() -> new AgentNotVerifiedException(
                            "the connecting process " + credentials.pid() + " is not running any more"));
            agent = verifiedAgent(credentials, request.agentPid());
        }
        if (request.name() != null) {
            validateName(request.name());
        }
        String summary = request.summary() == null ? "" : request.summary();
        validateSummary(summary);
        String secret = Secrets.newResumeSecret();
        ProcessRef conn = connection;
        ProcessRef agentRef = agent;
        return write((tx, events) -> {
            Instant now = clock.instant();
            Resumable previous = resumable(tx, request, conn, agentRef, now);
            Peer peer;
            if (previous != null) {
                Peer old = previous.peer();
                String name = request.name() != null ? request.name() : old.name();
                if (name != null && !nameFree(tx, name, old.id(), now)) {
                    if (request.name() != null) {
                        throw nameTaken(name);
                    }
                    name = null; // its old name went to someone else after the grace period
                }
                peer = new Peer(
                        old.id(),
                        name,
                        conn,
                        agentRef,
                        request.cwd(),
                        request.gitRoot(),
                        request.repoKey(),
                        request.repoRemote(),
                        request.tty(),
                        request.clientType(),
                        summary.isEmpty() ? old.summary() : summary,
                        old.registeredAt(),
                        now,
                        PeerState.LIVE,
                        null,
                        null,
                        Secrets.hash(secret),
                        previous.presentedSecretHash(),
                        request.sessionKey() != null ? request.sessionKey() : old.sessionKey());
                tx.updatePeer(peer);
                tx.revivePendingMessages(peer.id());
            } else {
                if (request.name() != null && !nameFree(tx, request.name(), null, now)) {
                    throw nameTaken(request.name());
                }
                PeerId id = newId(tx);
                peer = new Peer(
                        id,
                        request.name(),
                        conn,
                        agentRef,
                        request.cwd(),
                        request.gitRoot(),
                        request.repoKey(),
                        request.repoRemote(),
                        request.tty(),
                        request.clientType(),
                        summary,
                        now,
                        now,
                        PeerState.LIVE,
                        null,
                        null,
                        Secrets.hash(secret),
                        null,
                        request.sessionKey());
                tx.insertPeer(peer);
            }
            // Counted, not read: after a restart every peer resumes at once, each through this one writer.
            int pending = tx.countPendingMessages(peer.id());
            events.add(new PeerJoined(peer, previous != null));
            return new Registration(peer, secret, previous == null ? null : previous.by(), pending);
        });
    }

    /**
     * Refuses a kill whose agent process also holds other live peers: ending it would end them too.
     * Interactive Codex 0.171.0, for one, runs the MCP servers of several sessions under one app-server.
     */
    private static void requireOwnAgent(StoreTransaction tx, Peer victim) {
        List<String> sharing = tx.livePeers().stream()
                .filter(other -> !other.id().equals(victim.id())
                        && other.agent() != null
                        && other.agent().sameProcessAs(victim.agent()))
                .map(Peer::displayName)
                .toList();
        if (!sharing.isEmpty()) {
            throw new KillRefusedException(victim.displayName() + "'s agent process (pid "
                    + victim.agent().pid()
                    + ") also runs " + String.join(", ", sharing) + ": ending it would end "
                    + (sharing.size() == 1 ? "that session" : "those sessions") + " too; end "
                    + victim.displayName() + " in its own terminal");
        }
    }

    /**
     * Refuses a kill whose target's connection is no longer the agent's child: the connection was
     * orphaned and adopted (by init or a subreaper), so its agent's pid may be reused or be the adopter.
     */
    private void requireStillTheAgent(Peer victim) {
        ProcessRef agent = victim.agent();
        ProcessRef connection = victim.connection();
        if (agent.pid() <= 1) {
            throw new KillRefusedException(victim.displayName() + "'s agent is init: never a kill target");
        }
        if (agent.pid() == ProcessHandle.current().pid()) {
            throw new KillRefusedException(
                    victim.displayName() + "'s agent is the broker's own process: never a kill target");
        }
        if (processes.inspect(agent.pid()).map(ProcessInfo::adoptsOrphans).orElse(false)) {
            throw new KillRefusedException(victim.displayName() + "'s agent (pid " + agent.pid()
                    + ") adopts orphans (an init or a service manager): never a kill target");
        }
        if (connection == null || connection.pid() == agent.pid()) {
            return; // the connecting process is its own agent (a CLI, an orchestrator)
        }
        long parent =
                processes.inspect(connection.pid()).map(ProcessInfo::parentPid).orElse(-1L);
        if (parent != agent.pid()) {
            throw new KillRefusedException(victim.displayName() + "'s connection (pid " + connection.pid()
                    + ") is no longer a child of its agent (pid " + agent.pid() + "): it was orphaned, and the"
                    + " broker signals nothing it cannot vouch for; `peers cleanup` ends orphans");
        }
    }

    private ProcessRef verifiedAgent(Credentials credentials, Long agentPid) {
        ProcessInfo self = processes
                .inspect(credentials.pid())
                .orElseThrow(() -> new AgentNotVerifiedException(
                        "the connecting process " + credentials.pid() + " is not running any more"));
        if (agentPid == null || agentPid == credentials.pid()) {
            return self.ref();
        }
        if (agentPid <= 1) {
            throw new AgentNotVerifiedException("process " + agentPid + " is init, never an agent: a connecting process"
                    + " whose parent is init was orphaned; name no agent, or run under your agent");
        }
        if (self.parentPid() != agentPid) {
            throw new AgentNotVerifiedException("process " + agentPid + " is not the parent of the connecting process "
                    + credentials.pid() + " (its parent is " + self.parentPid()
                    + "); name your parent process as the agent, or none");
        }
        ProcessInfo agent = processes
                .inspect(agentPid)
                .orElseThrow(() -> new AgentNotVerifiedException("the agent process " + agentPid + " is not running"));
        if (agent.uid() != credentials.uid()) {
            throw new AgentNotVerifiedException("the agent process " + agentPid + " belongs to uid " + agent.uid()
                    + ", not to your uid " + credentials.uid());
        }
        if (agent.adoptsOrphans()) {
            throw new AgentNotVerifiedException("process " + agentPid + " adopts orphans (an init or a service"
                    + " manager), never an agent: the connecting process was orphaned; name no agent, or run under"
                    + " your agent");
        }
        return agent.ref();
    }

    /**
     * An earlier peer a registration takes back, how it was found, and the hash of the secret presented
     * for it (kept as the peer's previous secret: the client may never get the answer with the new one).
     */
    private record Resumable(Peer peer, ResumedBy by, String presentedSecretHash) {}

    /**
     * The earlier peer {@code request} takes back, or null. In this order: the peer its secret names
     * (current or previous; a live one is refused); for a verified caller, the most recently gone peer of
     * the same agent session (session key, client type, uid); the gone peer of the same agent process
     * (pid and start time), client type and cwd; the gone peer of the name it asks for while it holds it
     * (its grace period; not after {@code unregister}), when that peer was verified, of the same uid and
     * the same client type, whatever its folder. A live peer's name is
     * never taken over, nor another uid's; TCP callers take a peer back only by its secret.
     */
    private Resumable resumable(
            StoreTransaction tx, RegisterRequest request, ProcessRef connection, ProcessRef agent, Instant now) {
        if (request.resumeSecret() != null) {
            String hash = Secrets.hash(request.resumeSecret());
            Peer peer = tx.findPeerByResumeSecretHash(hash)
                    .orElseThrow(() -> new ResumeRefusedException(
                            "no peer has this resume secret; register without one to get a new id"));
            if (peer.live()) {
                throw new PeerStillConnectedException(
                        "peer " + peer.displayName() + " is still connected; close that connection before resuming it");
            }
            return new Resumable(peer, ResumedBy.SECRET, hash);
        }
        if (connection == null) {
            return null;
        }
        if (request.sessionKey() != null) {
            Optional<Peer> session =
                    tx.findGonePeerBySession(connection.uid(), request.clientType(), request.sessionKey());
            if (session.isPresent() && wantsNameOf(request, session.get())) {
                return new Resumable(session.get(), ResumedBy.SESSION, null);
            }
        }
        // By agent process only for a client under a named agent (an MCP server under Claude Code): a
        // process registering for itself (an orchestrator holding several peers) resumes by secret.
        if (agent != null && !agent.sameProcessAs(connection)) {
            // Not a peer of a known agent session: one app-server (Codex) runs several sessions, and the
            // session names itself later (bindSession) and takes its own peer back then.
            Optional<Peer> same = tx.findGonePeerByAgent(
                            agent.pid(), agent.startTicks(), request.clientType(), request.cwd())
                    .filter(gone -> wantsNameOf(request, gone))
                    .filter(gone ->
                            gone.sessionKey() == null || gone.sessionKey().equals(request.sessionKey()));
            if (same.isPresent()) {
                return new Resumable(same.get(), ResumedBy.AGENT, null);
            }
        }
        if (request.name() != null) {
            return tx.findPeersByName(request.name()).stream()
                    .filter(p -> !p.live()
                            && p.heldHere() // a uid names a user on one machine only
                            && p.holdsName(request.name(), now)
                            && p.verified()
                            && p.connection().uid() == connection.uid()
                            && p.clientType() == request.clientType())
                    .max(Comparator.comparing(Peer::goneAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder())))
                    .filter(gone -> nameFree(tx, request.name(), gone.id(), now))
                    .map(gone -> new Resumable(gone, ResumedBy.NAME, null))
                    .orElse(null);
        }
        return null;
    }

    /** Whether a request may take {@code gone} back as far as names go: it asks for none, or for its name. */
    private static boolean wantsNameOf(RegisterRequest request, Peer gone) {
        return request.name() == null || gone.name() == null || gone.name().equals(request.name());
    }

    private static PeerId newId(StoreTransaction tx) {
        for (int attempt = 0; attempt < 16; attempt++) {
            PeerId id = PeerId.random();
            if (tx.findPeer(id).isEmpty() && tx.findPeersByName(id.value()).isEmpty()) {
                return id;
            }
        }
        throw new StoreException("could not find a free peer id");
    }

    /**
     * The caller's agent named its session only now (Codex names its thread in each tool call, not at
     * start): records the key, and when a gone peer of that session is there (same uid, client type, key,
     * and no other name asked for), the caller becomes that peer: its connection, processes and folder go
     * to the gone peer, every message of the caller too, and the caller's own short-lived peer is retired
     * (gone, its name free). The caller's resume secret now resumes the peer it became.
     *
     * @return the peer the caller now is; {@code resumedBy} is {@link ResumedBy#SESSION} when it took one back
     */
    public Registration bindSession(PeerId caller, String sessionKey) {
        RegisterRequest.requireSessionKey(sessionKey);
        return write((tx, events) -> {
            Instant now = clock.instant();
            Peer self = requireLive(tx, caller);
            if (sessionKey.equals(self.sessionKey())) {
                return new Registration(self, null, null, tx.countPendingMessages(self.id()));
            }
            Optional<Peer> gone = self.verified()
                    ? tx.findGonePeerBySession(self.connection().uid(), self.clientType(), sessionKey)
                            .filter(old -> !old.id().equals(self.id()))
                            .filter(old -> self.name() == null
                                    || old.name() == null
                                    || old.name().equals(self.name()))
                    : Optional.empty();
            if (gone.isEmpty()) {
                Peer keyed = self.withSessionKey(sessionKey);
                tx.updatePeer(keyed);
                return new Registration(keyed, null, null, tx.countPendingMessages(self.id()));
            }
            Peer old = gone.get();
            // Retired first: the peer it becomes may take its name, and two live peers never share one.
            Peer retired = new Peer(
                    self.id(),
                    null,
                    self.connection(),
                    self.agent(),
                    self.cwd(),
                    self.gitRoot(),
                    self.repoKey(),
                    self.repoRemote(),
                    self.tty(),
                    self.clientType(),
                    self.summary(),
                    self.registeredAt(),
                    now,
                    PeerState.GONE,
                    now,
                    now,
                    null,
                    null,
                    null);
            tx.updatePeer(retired);
            String name = self.name() != null ? self.name() : old.name();
            if (name != null && !nameFree(tx, name, old.id(), now)) {
                name = null;
            }
            Peer back = new Peer(
                    old.id(),
                    name,
                    self.connection(),
                    self.agent(),
                    self.cwd(),
                    self.gitRoot(),
                    self.repoKey(),
                    self.repoRemote(),
                    self.tty(),
                    self.clientType(),
                    self.summary().isEmpty() ? old.summary() : self.summary(),
                    old.registeredAt(),
                    now,
                    PeerState.LIVE,
                    null,
                    null,
                    self.resumeSecretHash(),
                    self.previousSecretHash(),
                    sessionKey);
            tx.updatePeer(back);
            tx.moveMessages(self.id(), back.id());
            tx.moveClaims(self.id(), back.id());
            tx.revivePendingMessages(back.id());
            events.add(new PeerLeft(retired, "became " + back.id().value()));
            events.add(new PeerJoined(back, true));
            return new Registration(back, null, ResumedBy.SESSION, tx.countPendingMessages(back.id()));
        });
    }

    /**
     * Ends the caller's registration on purpose: it is gone and its name is free at once. Messages
     * to it stay pending in case it resumes with its secret.
     */
    public Peer unregister(PeerId caller) {
        return leave(caller, "unregistered", true);
    }

    /**
     * The caller's connection closed: it is gone, and its name stays reserved for the grace period. When the
     * store is unavailable the departure is owed, and written before the next write once it is back: else
     * the peer would stay live with no connection, and its agent could not resume it.
     */
    public Peer connectionClosed(PeerId caller) {
        try {
            return leave(caller, "disconnected", false);
        } catch (StoreUnavailableException e) {
            owedDepartures.add(caller);
            throw e;
        }
    }

    /**
     * The connections of {@code callers} closed together, as when their broker stops: each peer still
     * live goes as after {@link #connectionClosed}, all in one transaction; callers that are gone or
     * unknown are skipped. A find and an update each is slow on purpose for now: a stop made faster with
     * {@code UPDATE ... RETURNING} (0.4-0.7 s instead of 2.0-2.5 s) brought the clients back while their
     * reconnect backoff was still short, all at once, and the restart bench got worse (23-27 s until all
     * were served in four of six runs, against 7.6-10.4 s; hellos timed out behind resumes waiting for
     * the writer).
     *
     * @return how many went gone
     */
    public int connectionsClosed(Collection<PeerId> callers) {
        List<PeerId> all = List.copyOf(callers);
        if (all.isEmpty()) {
            return 0;
        }
        return write((tx, events) -> {
            Instant now = clock.instant();
            int left = 0;
            for (PeerId caller : all) {
                Optional<Peer> peer = tx.findPeer(caller);
                if (peer.isPresent() && peer.get().live()) {
                    leaveNow(tx, events, peer.get(), "disconnected", false, now);
                    left++;
                }
            }
            return left;
        });
    }

    private Peer leave(PeerId caller, String reason, boolean releaseName) {
        return write((tx, events) -> {
            Peer peer = tx.findPeer(caller).orElseThrow(() -> unknownPeer(tx, caller.value()));
            if (!peer.live()) {
                return peer;
            }
            if (releaseName) {
                // Left on purpose: its claims end now rather than wait for a resume that will not come.
                releaseAll(tx, caller);
            }
            return leaveNow(tx, events, peer, reason, releaseName, clock.instant());
        });
    }

    private Peer leaveNow(
            StoreTransaction tx, List<PeersEvent> events, Peer peer, String reason, boolean releaseName, Instant now) {
        Peer gone = peer.gone(now, releaseName ? now : now.plus(limits.nameGrace()));
        tx.updatePeer(gone);
        events.add(new PeerLeft(gone, reason));
        return gone;
    }

    // ---------------------------------------------------------------- about peers

    /** The caller as the broker knows it. */
    public Peer whoami(PeerId caller) {
        return liveCaller(caller);
    }

    /** Any peer by id, live or gone, if the store still has it. */
    public Optional<Peer> find(PeerId id) {
        return read(tx -> tx.findPeer(id));
    }

    /** The peer an id or name refers to: ids first, then names held by live peers or reserved for gone ones. */
    public Peer resolve(String idOrName) {
        return read(tx -> resolve(tx, idOrName));
    }

    /**
     * Sets what the caller says it is working on; returns the updated peer.
     *
     * @throws SummaryTooLongException when the summary is over the limit in UTF-8 bytes
     */
    public Peer setSummary(PeerId caller, String summary) {
        String text = summary == null ? "" : summary.strip();
        validateSummary(text);
        return write((tx, events) -> {
            Peer peer = requireLive(tx, caller).withSummary(text, clock.instant());
            tx.updatePeer(peer);
            events.add(new PeerUpdated(peer));
            return peer;
        });
    }

    /** Gives the caller a name, or takes its name away when {@code name} is null or blank. */
    public Peer setName(PeerId caller, String name) {
        String wanted = name == null || name.isBlank() ? null : name.strip();
        if (wanted != null) {
            validateName(wanted);
        }
        return write((tx, events) -> {
            Instant now = clock.instant();
            Peer peer = requireLive(tx, caller);
            if (wanted != null && !nameFree(tx, wanted, caller, now)) {
                throw nameTaken(wanted);
            }
            Peer renamed = peer.withName(wanted).withLastSeen(now);
            tx.updatePeer(renamed);
            events.add(new PeerUpdated(renamed));
            return renamed;
        });
    }

    /** Live peers in {@code scope} as seen from the caller, the caller excluded. */
    public List<Peer> listPeers(PeerId caller, Scope scope) {
        Peer self = liveCaller(caller);
        Objects.requireNonNull(scope, "scope");
        boolean inRepo = self.repoKey() != null || self.repoRemote() != null;
        boolean byCwd = scope == Scope.DIRECTORY || (scope == Scope.REPO && !inRepo);
        List<Peer> here = live.matching(peer -> !peer.id().equals(caller)
                && (scope == Scope.MACHINE
                        || scope == Scope.NETWORK
                        || (byCwd ? peer.cwd().equals(self.cwd()) : self.sameRepository(peer))));
        // Other brokers' peers only where a scope reaches past this machine: a folder is a path of one host,
        // a repository's remote (and its key, where hosts name it alike) is the same on every host.
        if (!store.shared() || !(scope == Scope.NETWORK || (scope == Scope.REPO && inRepo))) {
            return here;
        }
        List<Peer> remote = read(StoreTransaction::remotePeers);
        List<Peer> all = new ArrayList<>(here.size() + remote.size());
        all.addAll(here);
        for (Peer peer : remote) {
            if (scope == Scope.NETWORK || self.sameRepository(peer)) {
                all.add(peer);
            }
        }
        all.sort(Comparator.comparing(Peer::registeredAt).thenComparing(Peer::id));
        return all;
    }

    /** Every live peer: for observers and status displays, which hold no peer of their own. */
    public List<Peer> livePeers() {
        requireStarted();
        return live.matching(peer -> true);
    }

    /**
     * The peer of the agent above a process that holds no peer of its own: an agent's hook (Claude Code
     * runs it as a child, through a shell) asks which session it belongs to and what waits unread. Walks
     * up from the caller (itself included) at most {@link #MAX_AGENT_DEPTH} processes, stopping at a
     * process of another uid or one that adopts orphans, and answers for the nearest ancestor that is the
     * verified agent (same pid, start ticks and uid) of a live peer; of several such peers, the one that
     * registered last.
     *
     * @param caller the credentials of the asking connection (never from a request)
     * @param stop   whether the hook runs at Stop: then {@link AgentUnread#blockStop()} says whether to block,
     *               which it does once for a set of unread messages and again only for a newer message
     * @return empty when no live peer's agent is an ancestor of the caller
     */
    public Optional<AgentUnread> agentUnread(Credentials caller, boolean stop) {
        Objects.requireNonNull(caller, "caller");
        requireStarted();
        Peer peer = agentPeer(caller);
        if (peer == null) {
            return Optional.empty();
        }
        // Counts and names only: a hook asks at every prompt and stop, and the texts may be megabytes.
        UnreadSummary unread = read(tx -> tx.summarizeUnread(peer.id(), AgentUnread.MAX_SENDERS));
        List<String> senders = new ArrayList<>();
        for (PeerId sender : unread.senders()) {
            String name = senderName(sender);
            if (!senders.contains(name)) {
                senders.add(name);
            }
        }
        // An fyi waits for the next check: it never keeps an agent from stopping.
        boolean block = stop && stopBlocks.block(peer.id(), unread.newestWaking());
        stopBlocks.prune(live);
        return Optional.of(new AgentUnread(peer, Math.min(unread.count(), AgentUnread.MAX_COUNTED), senders, block));
    }

    private Peer agentPeer(Credentials caller) {
        long pid = caller.pid();
        for (int depth = 0; depth < MAX_AGENT_DEPTH && pid > 1; depth++) {
            ProcessInfo info = processes.inspect(pid).orElse(null);
            if (info == null || info.uid() != caller.uid() || info.adoptsOrphans()) {
                return null;
            }
            ProcessRef ancestor = info.ref();
            List<Peer> matches = live.matching(peer -> peer.verified()
                    && peer.agent() != null
                    && peer.agent().sameProcessAs(ancestor)
                    && peer.agent().uid() == caller.uid());
            if (!matches.isEmpty()) {
                return matches.get(matches.size() - 1);
            }
            pid = info.parentPid();
        }
        return null;
    }

    private String senderName(PeerId sender) {
        if (sender.equals(PeerId.BROKER)) {
            return RESERVED_NAME;
        }
        Peer known = live.get(sender);
        if (known == null) {
            known = read(tx -> tx.findPeer(sender)).orElse(null);
        }
        return known == null ? sender.value() : known.displayName();
    }

    /** The caller from the live registry; the store explains why when it is not there. */
    private Peer liveCaller(PeerId caller) {
        requireStarted();
        Peer self = live.get(caller);
        return self != null ? self : read(tx -> requireLive(tx, caller));
    }

    // ---------------------------------------------------------------- claims

    /**
     * Claims paths or globs of the caller's repository for {@code ttlMinutes} (null: the default), an
     * advisory lease others see. All or nothing: when a path overlaps a claim of another live peer, none is
     * taken and the outcome lists the conflicts, unless {@code share} accepts them (then every claim taken
     * is marked shared). Claiming a pattern again renews it with the new TTL and note.
     *
     * @throws InvalidArgumentException for no paths or too many, a bad glob, a path outside the repository,
     *                                  a TTL out of range, a note too long, a caller outside any repository,
     *                                  or more claims than a peer may hold
     */
    public ClaimOutcome claimPaths(PeerId caller, List<String> paths, Integer ttlMinutes, String note, boolean share) {
        ClaimLimits rules = limits.claims();
        Duration ttl = ttl(ttlMinutes, rules);
        String text = ClaimRules.note(note, rules);
        Peer known = liveCaller(caller);
        List<ClaimPattern> wanted = ClaimRules.patterns(paths, known, rules, "claim");
        rateLimiter.acquire(caller, 1); // a write each, like a send; releasing is never limited
        return write((tx, events) -> {
            Peer self = requireLive(tx, caller);
            String root = ClaimRules.root(self);
            if (!root.equals(known.gitRoot())) {
                throw new InvalidArgumentException("your repository changed while claiming; claim again");
            }
            Instant now = clock.instant();
            List<HeldClaim> conflicts = new ArrayList<>();
            for (HeldClaim held : heldClaims(tx, self.repoKey(), now)) {
                if (!held.holder().id().equals(caller)
                        && held.holderLive()
                        && wanted.stream().anyMatch(p -> p.overlaps(held.claim().parsed()))) {
                    conflicts.add(held);
                }
            }
            if (!conflicts.isEmpty() && !share) {
                return new ClaimOutcome(root, List.of(), conflicts);
            }
            List<String> texts = wanted.stream().map(ClaimPattern::text).toList();
            List<Long> replaced = new ArrayList<>();
            int kept = 0;
            for (Claim own : tx.claimsOf(caller)) {
                if (!own.activeAt(now) || (own.repoKey().equals(self.repoKey()) && texts.contains(own.pattern()))) {
                    replaced.add(own.id());
                } else {
                    kept++;
                }
            }
            if (kept + texts.size() > rules.perPeer()) {
                throw new InvalidArgumentException("you would hold " + (kept + texts.size())
                        + " claims; a peer holds at most " + rules.perPeer()
                        + ": release some (release_paths) or claim a folder or glob instead of many files");
            }
            tx.deleteClaims(caller, replaced);
            List<Claim> taken = new ArrayList<>();
            for (String pattern : texts) {
                taken.add(tx.insertClaim(
                        new Claim(0, caller, self.repoKey(), pattern, text, !conflicts.isEmpty(), now, now.plus(ttl))));
            }
            return new ClaimOutcome(root, taken, conflicts);
        });
    }

    /**
     * Ends the caller's claims on these paths or globs (as they were claimed, normalised the same way), or
     * all of its claims when {@code paths} is null or empty.
     *
     * @return the patterns released; a path the caller did not claim is not among them
     */
    public List<String> releasePaths(PeerId caller, List<String> paths) {
        Peer known = liveCaller(caller);
        List<String> texts = paths == null || paths.isEmpty()
                ? null
                : ClaimRules.patterns(paths, known, limits.claims(), "release").stream()
                        .map(ClaimPattern::text)
                        .toList();
        return write((tx, events) -> {
            Peer self = requireLive(tx, caller);
            if (texts == null) {
                return releaseAll(tx, caller);
            }
            List<Long> ids = new ArrayList<>();
            List<String> released = new ArrayList<>();
            for (Claim own : tx.claimsOf(caller)) {
                if (own.repoKey().equals(self.repoKey()) && texts.contains(own.pattern())) {
                    ids.add(own.id());
                    released.add(own.pattern());
                }
            }
            tx.deleteClaims(caller, ids);
            return released;
        });
    }

    private static List<String> releaseAll(StoreTransaction tx, PeerId caller) {
        List<Claim> all = tx.claimsOf(caller);
        tx.deleteClaims(caller, all.stream().map(Claim::id).toList());
        return all.stream().map(Claim::pattern).toList();
    }

    /**
     * The claims in force, the caller's own included: in its repository ({@link Scope#REPO}; none outside a
     * repository) or on the whole machine. A claim whose holder is gone but may still resume (within the
     * name grace period) is listed with that holder; it warns nobody until the holder is back.
     */
    public List<HeldClaim> claims(PeerId caller, Scope scope) {
        Peer self = liveCaller(caller);
        boolean everywhere = scope == Scope.MACHINE || scope == Scope.NETWORK;
        if (!everywhere && self.repoKey() == null) {
            return List.of();
        }
        String repoKey = everywhere ? null : self.repoKey();
        return read(tx -> heldClaims(tx, repoKey, clock.instant()));
    }

    /**
     * The claims in force that {@code holder} holds, for a view of every peer (the dashboard): none once a gone
     * holder may no longer resume.
     */
    public List<Claim> claimsHeldBy(PeerId holder) {
        Instant now = clock.instant();
        return read(tx -> {
            Peer peer = Optional.ofNullable(live.get(holder))
                    .or(() -> tx.findPeer(holder))
                    .orElse(null);
            if (peer == null || !ClaimRules.holds(peer, now, limits.nameGrace())) {
                return List.<Claim>of();
            }
            return tx.claimsOf(holder).stream().filter(c -> c.activeAt(now)).toList();
        });
    }

    /**
     * For an agent's hook before an edit: the claims of other live peers that cover {@code file} (absolute,
     * or relative to the peer's folder), for the peer whose agent is an ancestor of the caller (as
     * {@link #agentUnread}).
     *
     * @return empty when no live peer's agent is an ancestor of the caller
     */
    public Optional<AgentClaims> agentClaims(Credentials caller, String file) {
        Objects.requireNonNull(caller, "caller");
        requireStarted();
        Peer peer = agentPeer(caller);
        if (peer == null) {
            return Optional.empty();
        }
        if (peer.gitRoot() == null || peer.repoKey() == null || file == null || file.isBlank()) {
            return Optional.of(new AgentClaims(peer, null, List.of()));
        }
        ClaimPattern path;
        try {
            path = ClaimPattern.path(file, peer.gitRoot(), peer.cwd());
        } catch (InvalidArgumentException outside) {
            return Optional.of(new AgentClaims(peer, null, List.of()));
        }
        List<HeldClaim> covering = read(tx -> heldClaims(tx, peer.repoKey(), clock.instant())).stream()
                .filter(held -> held.holderLive()
                        && !held.holder().id().equals(peer.id())
                        && held.claim().parsed().covers(path))
                .toList();
        return Optional.of(new AgentClaims(peer, path.text(), covering));
    }

    /** Claims not expired whose holder is live or gone within its grace period, oldest first. */
    private List<HeldClaim> heldClaims(StoreTransaction tx, String repoKey, Instant now) {
        Map<PeerId, Optional<Peer>> holders = new HashMap<>();
        List<HeldClaim> held = new ArrayList<>();
        for (Claim claim : tx.claims(repoKey)) {
            if (!claim.activeAt(now)) {
                continue;
            }
            Peer holder = holders.computeIfAbsent(
                            claim.holder(),
                            id -> Optional.ofNullable(live.get(id)).or(() -> tx.findPeer(id)))
                    .orElse(null);
            if (holder != null && ClaimRules.holds(holder, now, limits.nameGrace())) {
                held.add(new HeldClaim(claim, holder));
            }
        }
        return held;
    }

    private static Duration ttl(Integer minutes, ClaimLimits rules) {
        if (minutes == null) {
            return rules.defaultTtl();
        }
        Duration ttl = Duration.ofMinutes(minutes);
        if (minutes < 1 || ttl.compareTo(rules.maxTtl()) > 0) {
            throw new InvalidArgumentException("ttl_minutes must be from 1 to "
                    + rules.maxTtl().toMinutes() + ", got " + minutes + "; claim again before it ends to keep it");
        }
        return ttl;
    }

    // ---------------------------------------------------------------- messages

    /**
     * Sends {@code text} from the caller to the peer named by {@code to} (an id or a name). A gone
     * recipient still gets it: it waits, pending, in case that peer resumes.
     *
     * @param replyTo the id of a message the caller sent or received that this one answers, or null
     */
    public SendResult send(PeerId caller, String to, String text, Long replyTo) {
        return send(caller, to, text, replyTo, Urgency.NORMAL);
    }

    /**
     * Sends a message of some urgency; see {@link #send(PeerId, String, String, Long)}. Past the
     * ping-pong limit ({@link PeersLimits#maxExchanges()}) it is stored held: acknowledged, not
     * delivered until a person {@linkplain #release releases} it.
     */
    public SendResult send(PeerId caller, String to, String text, Long replyTo, Urgency urgency) {
        return sendOne(caller, to, text, replyTo, MessageKind.MESSAGE, urgency);
    }

    /**
     * Sends {@code question} to the peer named by {@code to}, marked as a question: its answer is the first
     * message that peer sends with {@code reply_to} naming it ({@link #question}).
     */
    public SendResult ask(PeerId caller, String to, String question, Urgency urgency) {
        return sendOne(caller, to, question, null, MessageKind.QUESTION, urgency);
    }

    private SendResult sendOne(PeerId caller, String to, String text, Long replyTo, MessageKind kind, Urgency urgency) {
        validateText(text);
        Objects.requireNonNull(urgency, "urgency");
        if (to == null || to.isBlank()) {
            throw new InvalidArgumentException("say who the message is for: a peer id or name");
        }
        rateLimiter.acquire(caller, 1);
        return write((tx, events) -> {
            Peer known = live.get(caller); // read only here, so the registry saves a query per send
            Peer sender = known != null ? known : requireLive(tx, caller);
            Peer recipient = resolve(tx, to.strip());
            if (recipient.id().equals(sender.id())) {
                throw new InvalidArgumentException("you cannot send a message to yourself");
            }
            Message original = checkReplyTo(tx, caller, replyTo);
            Instant now = clock.instant();
            ExchangeGuard.Verdict verdict = exchanges.judge(tx, sender, recipient, now);
            boolean held = verdict != ExchangeGuard.Verdict.DELIVER;
            Message message =
                    tx.insertMessage(new NewMessage(caller, recipient.id(), text, replyTo, now, kind, urgency, held));
            events.add(new MessageSent(message));
            if (verdict == ExchangeGuard.Verdict.HOLD_FIRST) {
                tellHeld(tx, events, message, sender, recipient, now);
            }
            if (original != null
                    && original.recipient().equals(caller)
                    && original.state() != MessageState.READ
                    && tx.markRead(caller, List.of(original.id()), now) > 0) {
                // Whoever answers a message has read it, however it was shown (a push the model acted on).
                events.add(new MessagesStateChanged(caller, List.of(original.id()), MessageState.READ));
            }
            return new SendResult(message, recipient);
        });
    }

    /** Tells both peers of a pair, once, that their chain is held and how it ends. */
    private void tellHeld(
            StoreTransaction tx, List<PeersEvent> events, Message held, Peer sender, Peer recipient, Instant now) {
        String why = " exchanged " + exchanges.limit() + " messages within "
                + Durations.describe(exchanges.window())
                + " with nobody else in between, so the broker holds further messages between you (a guard"
                + " against agents answering each other forever). Held messages are stored, not delivered, until a"
                + " person runs `peers release`. Stop here unless your user asks you to go on.";
        Message toSender = tx.insertMessage(new NewMessage(
                PeerId.BROKER,
                sender.id(),
                "Your message #" + held.id() + " to " + recipient.displayName() + " is held: you and "
                        + recipient.displayName() + why,
                held.id(),
                now));
        Message toRecipient = tx.insertMessage(new NewMessage(
                PeerId.BROKER,
                recipient.id(),
                "A message from " + sender.displayName() + " is held: you and " + sender.displayName() + why,
                null,
                now));
        events.add(new MessageSent(toSender));
        events.add(new MessageSent(toRecipient));
    }

    /**
     * A question the caller asked and its answer so far: the first message its recipient sent with
     * {@code reply_to} naming it, held ones left out; {@code answer} is null while there is none.
     */
    public QuestionState question(PeerId caller, long questionId) {
        return read(tx -> {
            Message question = tx.findMessage(questionId)
                    .filter(m -> m.sender().equals(caller))
                    .orElseThrow(() ->
                            new UnknownMessageException("message " + questionId + " is not a question you asked"));
            if (question.kind() != MessageKind.QUESTION) {
                throw new UnknownMessageException("message " + questionId + " is not a question: ask with ask_peer");
            }
            return new QuestionState(
                    question, tx.firstReply(questionId, question.recipient()).orElse(null));
        });
    }

    /**
     * Held messages sent or received by the peer named {@code peer} (every held message when it is null
     * or blank), oldest first. Only a person (a CLI peer on the Unix socket) may see them all.
     */
    public List<Message> held(PeerId caller, String peer, int limit) {
        int checked = positive(limit);
        return read(tx -> {
            requirePerson(tx, caller, "see held messages");
            PeerId whose = peer == null || peer.isBlank()
                    ? null
                    : resolve(tx, peer.strip()).id();
            return tx.heldMessages(whose, checked);
        });
    }

    /**
     * A person releases held messages: those sent or received by the peer named {@code peer} (every held
     * one when it is null or blank). They become pending and go out; a released message also restarts
     * the count of its pair. Returns them as they are now. Only a CLI peer on the Unix socket may.
     */
    public List<Message> release(PeerId caller, String peer) {
        return write((tx, events) -> {
            requirePerson(tx, caller, "release held messages");
            PeerId whose = peer == null || peer.isBlank()
                    ? null
                    : resolve(tx, peer.strip()).id();
            List<Long> ids = tx.heldMessages(whose, Integer.MAX_VALUE).stream()
                    .map(Message::id)
                    .toList();
            if (ids.isEmpty()) {
                return List.<Message>of();
            }
            List<Message> released = tx.releaseHeld(ids, clock.instant());
            released.forEach(m -> events.add(new MessageSent(m)));
            return released;
        });
    }

    /** Agents may not lift the guard on themselves: only the person's own CLI, verified. */
    private Peer requirePerson(StoreTransaction tx, PeerId caller, String what) {
        Peer self = requireLive(tx, caller);
        if (self.clientType() != ClientType.CLI || !self.verified()) {
            throw new NotAuthorizedException("only a person may " + what + ": run `peers release` in a terminal");
        }
        return self;
    }

    /** Sends {@code text} to every live peer in {@code scope} but the caller; returns what was stored. */
    public List<SendResult> broadcast(PeerId caller, Scope scope, String text) {
        validateText(text);
        Objects.requireNonNull(scope, "scope");
        List<Peer> recipients = listPeers(caller, scope);
        if (recipients.isEmpty()) {
            return List.of();
        }
        rateLimiter.acquire(caller, recipients.size());
        return write((tx, events) -> {
            requireLive(tx, caller);
            Instant now = clock.instant();
            List<SendResult> results = new ArrayList<>();
            for (Peer recipient : recipients) {
                // A broadcast never starts a chain of exchanges: its copies are marked, and the guard skips them.
                Message message = tx.insertMessage(new NewMessage(
                        caller, recipient.id(), text, null, now, MessageKind.BROADCAST, Urgency.NORMAL, false));
                events.add(new MessageSent(message));
                results.add(new SendResult(message, recipient));
            }
            return results;
        });
    }

    /** The message {@code replyTo} names, or null for none; throws when it is not the caller's. */
    private Message checkReplyTo(StoreTransaction tx, PeerId caller, Long replyTo) {
        if (replyTo == null) {
            return null;
        }
        Message original = tx.findMessage(replyTo).orElse(null);
        if (original == null
                || !(original.sender().equals(caller) || original.recipient().equals(caller))) {
            throw new UnknownMessageException("reply_to " + replyTo + " names no message you sent or received");
        }
        return original;
    }

    /** Messages waiting for the caller that no connection acknowledged yet, oldest first. Changes nothing. */
    public List<Message> pending(PeerId caller, int limit) {
        int checked = positive(limit);
        // A caller in the live registry is live: only the others cost the query that says why not.
        boolean known = isLive(caller);
        return read(tx -> {
            if (!known) {
                requireLive(tx, caller);
            }
            return tx.pendingMessages(caller, checked);
        });
    }

    /** Messages to the caller not yet shown to it (pending or delivered), oldest first. Changes nothing. */
    public List<Message> unread(PeerId caller, int limit) {
        int checked = positive(limit);
        boolean known = isLive(caller);
        return read(tx -> {
            if (!known) {
                requireLive(tx, caller);
            }
            return tx.unreadMessages(caller, checked);
        });
    }

    private boolean isLive(PeerId caller) {
        requireStarted();
        return live.get(caller) != null;
    }

    /** The caller's connection has these messages: pending ones become delivered. Returns how many changed. */
    public int acknowledge(PeerId caller, Collection<Long> ids) {
        return changeState(caller, ids, MessageState.DELIVERED);
    }

    /** The agent or person was shown these messages: they become read. Returns how many changed. */
    public int markRead(PeerId caller, Collection<Long> ids) {
        return changeState(caller, ids, MessageState.READ);
    }

    private int changeState(PeerId caller, Collection<Long> ids, MessageState state) {
        if (ids == null || ids.isEmpty()) {
            return 0;
        }
        List<Long> copy = List.copyOf(ids);
        return write((tx, events) -> {
            requireLive(tx, caller);
            Instant now = clock.instant();
            int changed = state == MessageState.DELIVERED
                    ? tx.markDelivered(caller, copy, now)
                    : tx.markRead(caller, copy, now);
            if (changed > 0) {
                events.add(new MessagesStateChanged(caller, copy, state));
            }
            return changed;
        });
    }

    /**
     * Messages the caller sent or received, newest first; only those exchanged with {@code with}
     * (an id or name) when it is given. At most the configured history limit.
     */
    public List<Message> history(PeerId caller, String with, int limit) {
        int bounded = Math.min(positive(limit), limits.maxHistory());
        return read(tx -> {
            tx.findPeer(caller).orElseThrow(() -> unknownPeer(tx, caller.value()));
            PeerId other = with == null || with.isBlank()
                    ? null
                    : resolve(tx, with.strip()).id();
            return tx.history(caller, other, bounded);
        });
    }

    /** A message the caller sent or received. */
    public Message message(PeerId caller, long id) {
        return read(tx -> tx.findMessage(id)
                .filter(m -> m.sender().equals(caller) || m.recipient().equals(caller))
                .orElseThrow(() -> new UnknownMessageException("message " + id + " is not one you sent or received")));
    }

    // ---------------------------------------------------------------- kill and sweep

    /**
     * Ends the agent process of another live, verified peer of the caller's own user, with SIGTERM.
     * Irreversible; meant for stuck peers. A peer another broker holds is asked of that broker, and this
     * waits for its answer (at most {@link #KILL_WAIT}): see {@link #killAnywhere}.
     */
    public KillResult kill(PeerId caller, String target) {
        try {
            return killAnywhere(caller, target).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Kills as {@link #kill} does, without waiting on the caller's thread. The rules this broker can check
     * (the caller is live and verified, the victim exists, is live and is not the caller) throw here; a kill
     * of this broker's peer is done before this returns. A peer another broker of a shared store holds is
     * asked of that broker with a request row: it runs the checks of a local kill itself (its victim verified,
     * still the same agent process, the same user <em>name</em> as the caller's, since uids differ between
     * machines) and signals or refuses. The future completes with its result, or fails with its refusal
     * ({@link KillRefusedException}, {@link NotAuthorizedException}, naming that broker and host) or, when no
     * answer came within {@link #KILL_WAIT}, with {@link KillUnansweredException} (the request is void then).
     */
    public CompletableFuture<KillResult> killAnywhere(PeerId caller, String target) {
        Peer[] found = read(tx -> {
            Peer self = requireLive(tx, caller);
            if (!self.verified()) {
                throw new NotAuthorizedException(
                        "unverified peers (connected over TCP, TLS or in VM) cannot kill anyone");
            }
            Peer victim = resolve(tx, target == null ? "" : target.strip());
            if (victim.id().equals(self.id())) {
                throw new KillRefusedException("you cannot kill yourself; unregister or exit instead");
            }
            if (!victim.live()) {
                throw new KillRefusedException(victim.displayName() + " is already gone");
            }
            if (victim.heldHere()) {
                int uid = self.connection().uid();
                requireKillable(tx, victim, v -> {
                    if (v.agent().uid() != uid) {
                        throw new NotAuthorizedException(v.displayName() + " belongs to another user (uid "
                                + v.agent().uid() + ")");
                    }
                });
            }
            return new Peer[] {self, victim};
        });
        Peer self = found[0];
        Peer victim = found[1];
        if (victim.heldHere()) {
            return CompletableFuture.completedFuture(signal(victim, caller));
        }
        // Its pid is another machine's (or another broker's to vouch for): that broker checks and signals.
        String user = processes.userOf(self.connection().pid()).orElse(null);
        long id = write((tx, events) -> tx.insertKillRequest(
                caller,
                self.connection().uid(),
                user,
                victim.id(),
                victim.holder().brokerId()));
        return remoteKills.await(id, victim).thenApply(result -> {
            tellOutside(List.of(new PeerKilled(result.target(), caller, result.signalled())));
            return result;
        });
    }

    /** The checks of a kill that only the victim's own broker can make, the same user's rule given. */
    private void requireKillable(StoreTransaction tx, Peer victim, Consumer<Peer> sameUser) {
        if (!victim.verified() || victim.agent() == null) {
            throw new KillRefusedException(victim.displayName()
                    + " is unverified (connected over TCP, TLS or in VM): the broker cannot tell which process to end");
        }
        sameUser.accept(victim);
        requireOwnAgent(tx, victim);
    }

    /** Signals this broker's {@code victim} after the last look at its processes, and records it. */
    private KillResult signal(Peer victim, PeerId by) {
        requireStillTheAgent(victim);
        boolean signalled = processes.terminate(victim.agent());
        write((tx, events) -> {
            events.add(new PeerKilled(victim, by, signalled));
            return null;
        });
        return new KillResult(victim, signalled);
    }

    /**
     * The same user across machines is the same user name: a uid is a number of one machine's user database,
     * and two machines may give one person different uids, or one uid to two people. A side that cannot name
     * its user refuses.
     */
    private void requireSameUser(Peer victim, KillRequest request) {
        String mine = processes.userOf(victim.agent().pid()).orElse(null);
        if (mine == null || request.callerUser() == null) {
            throw new NotAuthorizedException("the user of "
                    + (mine == null
                            ? victim.displayName() + "'s agent (uid "
                                    + victim.agent().uid() + ")"
                            : "the caller (uid " + request.callerUid() + " on its machine)")
                    + " has no name here, and across machines only the user name tells the same user");
        }
        if (!mine.equals(request.callerUser())) {
            throw new NotAuthorizedException(victim.displayName() + " belongs to another user (" + mine
                    + ", the caller is " + request.callerUser() + ")");
        }
    }

    /**
     * The holding side: carries out, or refuses, the kill requests other brokers addressed to this one, each
     * at most once; a request older than {@link #KILL_WAIT} is voided, never acted on. Rung by the store's bell.
     */
    private void takeKillRequests() {
        if (!read(StoreTransaction::hasKillRequests)) {
            return;
        }
        for (KillRequest request : write((tx, events) -> tx.takeKillRequests(KILL_WAIT))) {
            try {
                carryOut(request);
            } catch (PeersException e) {
                // The store failed after the signal, or while answering: the asker says it got no answer.
            }
        }
    }

    /**
     * Checks, signals and answers one request this broker took; a refusal is answered, never thrown. When
     * the store fails after the signal, no answer is written (a refusal would be untrue): the asker says so.
     */
    private void carryOut(KillRequest request) {
        Peer victim;
        KillOutcome refusal;
        try {
            victim = read(tx -> {
                Peer v = tx.findPeer(request.victim())
                        .orElseThrow(() -> new KillRefusedException("no peer has the id " + request.victim()));
                if (!v.live()) {
                    throw new KillRefusedException(v.displayName() + " is already gone");
                }
                if (!v.heldHere()) {
                    throw new KillRefusedException(v.displayName() + " is no longer held by this broker");
                }
                requireKillable(tx, v, mine -> requireSameUser(mine, request));
                return v;
            });
            requireStillTheAgent(victim);
            refusal = null;
        } catch (KillRefusedException | NotAuthorizedException e) {
            victim = null;
            refusal = KillOutcome.refused(e);
        } catch (StoreException e) {
            if (e instanceof StoreLostException) {
                throw e;
            }
            victim = null;
            refusal = new KillOutcome(
                    false, ErrorCode.KILL_REFUSED, "the holding broker could not check the victim: " + e.getMessage());
        }
        if (refusal != null) {
            KillOutcome answer = refusal;
            write((tx, events) -> {
                tx.finishKillRequest(request.id(), answer);
                return null;
            });
            return;
        }
        Peer target = victim;
        boolean signalled = processes.terminate(target.agent());
        // Answered in the transaction that records the kill.
        write((tx, events) -> {
            tx.finishKillRequest(request.id(), KillOutcome.carriedOut(signalled));
            events.add(new PeerKilled(target, request.caller(), signalled));
            return null;
        });
    }

    /**
     * Checks every live peer's processes and tidies up: peers whose processes died go; orphans are
     * reported (and ended when configured); pending messages of peers gone past the grace period
     * become undeliverable and their senders are told; old finished messages and peers are pruned.
     * Reads {@code /proc} outside any transaction, so requests never wait on it.
     */
    public SweepReport sweep() {
        List<Peer> dead = new ArrayList<>();
        List<Peer> orphans = new ArrayList<>();
        for (Peer peer : livePeers()) {
            if (!peer.verified()) {
                continue;
            }
            if (!processes.isAlive(peer.connection())) {
                dead.add(peer);
            } else if (peer.agent() != null && !peer.agent().sameProcessAs(peer.connection()) && agentLost(peer)) {
                orphans.add(peer);
            }
        }
        int terminated = 0;
        if (limits.terminateOrphans()) {
            for (Peer orphan : orphans) {
                if (processes.terminate(orphan.connection())) {
                    terminated++;
                }
            }
        }
        Instant now = clock.instant();
        int[] counts = write((tx, events) -> {
            markGone(tx, events, dead, "its process exited", now);
            markGone(tx, events, orphans, "its agent exited", now);
            int undeliverable = 0;
            for (PeerId recipient : tx.gonePeersWithPendingMessages(now.minus(limits.nameGrace()))) {
                Peer away = tx.findPeer(recipient).orElse(null);
                for (Message message : tx.markUndeliverable(recipient)) {
                    undeliverable++;
                    if (!message.sender().equals(PeerId.BROKER)
                            && tx.findPeer(message.sender()).isPresent()) {
                        Message notice = tx.insertMessage(new NewMessage(
                                PeerId.BROKER,
                                message.sender(),
                                undeliverableNotice(message, away),
                                message.id(),
                                now));
                        events.add(new MessageSent(notice));
                    }
                }
            }
            tx.deleteEndedClaims(now, now.minus(limits.nameGrace()));
            Instant horizon = now.minus(limits.retention());
            int prunedMessages = tx.deleteFinishedMessages(horizon);
            int prunedPeers = tx.deleteGonePeers(horizon);
            return new int[] {undeliverable, prunedMessages, prunedPeers};
        });
        return new SweepReport(dead, orphans, terminated, counts[0], counts[1], counts[2]);
    }

    private boolean agentLost(Peer peer) {
        if (!processes.isAlive(peer.agent())) {
            return true;
        }
        return processes
                .inspect(peer.connection().pid())
                .map(info -> info.parentPid() != peer.agent().pid())
                .orElse(true);
    }

    private void markGone(StoreTransaction tx, List<PeersEvent> events, List<Peer> peers, String reason, Instant now) {
        for (Peer peer : peers) {
            Optional<Peer> current = tx.findPeer(peer.id());
            // Only if the same connection still holds it: it may have resumed on a new one meanwhile.
            if (current.isPresent()
                    && current.get().live()
                    && Objects.equals(current.get().connection(), peer.connection())) {
                Peer gone = current.get().gone(now, now.plus(limits.nameGrace()));
                tx.updatePeer(gone);
                events.add(new PeerLeft(gone, reason));
            }
        }
    }

    private String undeliverableNotice(Message message, Peer away) {
        String who = away == null ? message.recipient().value() : away.displayName();
        return "Your message #" + message.id() + " to " + who + " could not be delivered: " + who
                + " left and did not come back within " + Durations.describe(limits.nameGrace())
                + ". It is kept as undeliverable and goes out again if " + who + " resumes.";
    }

    /** Counts for status displays. */
    public StoreCounts counts() {
        return read(StoreTransaction::counts);
    }

    /** The writer's commits and the writes they held so far (from memory, no store read). */
    public WriterCounts writerCounts() {
        return committer.counts();
    }

    // ---------------------------------------------------------------- rules

    private Peer requireLive(StoreTransaction tx, PeerId caller) {
        Peer peer = tx.findPeer(caller)
                .orElseThrow(
                        () -> new NotRegisteredException("this connection holds no registered peer; register first"));
        if (!peer.live()) {
            throw new NotRegisteredException(
                    "your peer " + peer.displayName() + " was marked gone; register again to resume it");
        }
        return peer;
    }

    private Peer resolve(StoreTransaction tx, String idOrName) {
        if (idOrName.isEmpty()) {
            throw new InvalidArgumentException("name a peer by its id or name");
        }
        if (PeerId.looksLikeId(idOrName)) {
            Peer liveById = live.get(new PeerId(idOrName));
            if (liveById != null) {
                return liveById;
            }
            Optional<Peer> byId = tx.findPeer(new PeerId(idOrName));
            if (byId.isPresent()) {
                return byId.get();
            }
        }
        Instant now = clock.instant();
        List<Peer> named = tx.findPeersByName(idOrName).stream()
                .filter(p -> p.holdsName(idOrName, now))
                .toList();
        return named.stream()
                .filter(Peer::live)
                .findFirst()
                .or(() -> named.stream().findFirst())
                .orElseThrow(() -> unknownPeer(tx, idOrName));
    }

    private static UnknownPeerException unknownPeer(StoreTransaction tx, String wanted) {
        return new UnknownPeerException(wanted, Suggestions.nearest(wanted, tx.livePeers(), 3));
    }

    private boolean nameFree(StoreTransaction tx, String name, PeerId except, Instant now) {
        if (PeerId.looksLikeId(name)
                && tx.findPeer(new PeerId(name))
                        .filter(p -> !p.id().equals(except))
                        .isPresent()) {
            return false;
        }
        return tx.findPeersByName(name).stream()
                .filter(p -> !p.id().equals(except))
                .noneMatch(p -> p.holdsName(name, now));
    }

    private static NameTakenException nameTaken(String name) {
        return new NameTakenException("the name '" + name + "' belongs to another peer (live, or gone less than the"
                + " grace period ago); choose another");
    }

    private static void validateName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidNameException("'" + name + "' is not a valid name: use 1 to 32 of a-z, 0-9 and '-'");
        }
        if (name.equals(RESERVED_NAME)) {
            throw new InvalidNameException("'" + name + "' is reserved for the broker; choose another name");
        }
    }

    private void validateText(String text) {
        if (text == null || text.isBlank()) {
            throw new MessageTooLargeException("the message is empty; write something to send");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxMessageBytes()) {
            throw new MessageTooLargeException("the message is " + bytes + " bytes of UTF-8; the limit is "
                    + limits.maxMessageBytes() + ": shorten it or split it");
        }
    }

    private void validateSummary(String summary) {
        int bytes = summary.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxSummaryBytes()) {
            throw new SummaryTooLongException("the summary is " + bytes + " bytes of UTF-8; the limit is "
                    + limits.maxSummaryBytes() + ": say it in a sentence or two");
        }
    }

    private static int positive(int limit) {
        if (limit < 1) {
            throw new InvalidArgumentException("limit must be at least 1, got " + limit);
        }
        return limit;
    }

    // ---------------------------------------------------------------- plumbing

    private <T> T write(GroupCommitter.Work<T> work) {
        requireStarted();
        settleOwedDepartures();
        return committer.submit(work);
    }

    /** The disconnects an outage refused, written before any other write (a resume by secret among them). */
    private void settleOwedDepartures() {
        if (owedDepartures.isEmpty()) {
            return;
        }
        List<PeerId> owed = List.copyOf(owedDepartures);
        owedDepartures.removeAll(owed);
        try {
            connectionsClosed(owed);
        } catch (StoreUnavailableException e) {
            owedDepartures.addAll(owed);
            throw e;
        }
    }

    private <T> T read(PeerStore.StoreWork<T> work) {
        requireStarted();
        // After a loss the store's state is stale at best: refuse rather than serve it.
        committer.refuseIfLost();
        try {
            return store.read(work);
        } catch (StoreLostException e) {
            committer.storeLost(e);
            throw e;
        }
    }

    private void requireStarted() {
        if (!started.get()) {
            throw new IllegalStateException("PeerNetwork.start() was not called");
        }
    }

    /** Stops the writer after the writes already queued; idempotent. Does not close the store. */
    @Override
    public void close() {
        closed = true;
        remoteKills.close();
        committer.close();
    }
}
