package io.agentpeers.mcp;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.local.BrokerEndpoint;
import io.agentpeers.local.BrokerStarter;
import io.agentpeers.local.CallerFacts;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.BrokerUnavailableException;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.MessageListener;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server's one broker connection, made in the background so that {@code initialize} is answered
 * first: start a broker when none answers (Unix socket only), connect, register, and, once the MCP
 * client is initialized, subscribe for pushes. The {@link PeersClient} reconnects and resumes by itself
 * after that. Tools wait for the connection, bounded.
 */
final class BrokerLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLink.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final McpSettings settings;
    private final Path cwd;
    private final Long agentPid;
    /** The agent's session, when known: from the start (Claude Code), or from the first tool call (Codex). */
    private volatile String sessionKey;

    private final ReentrantLock connectLock = new ReentrantLock();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService background;
    private volatile PeersClient client;
    private volatile CallerFacts facts;
    private volatile MessageListener pushListener;
    private volatile Delivery delivery;
    private volatile String notice;
    private volatile String lastProblem;

    /** @param sessionKey the agent client's id for its session (see {@link #sessionKeyOf}), or null */
    BrokerLink(McpSettings settings, Path cwd, Long agentPid, String sessionKey) {
        this.settings = settings;
        this.cwd = cwd;
        this.agentPid = agentPid;
        this.sessionKey = sessionKey;
        this.background = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "peers-mcp-link");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Connects and registers in the background; failures are kept for the first tool call to report. */
    void start() {
        background.execute(() -> {
            try {
                client(START_TIMEOUT.plus(REQUEST_TIMEOUT));
            } catch (RuntimeException e) {
                LOG.warn("not connected to the broker yet: {}", e.getMessage());
            }
        });
    }

    /**
     * Tells the broker how this session receives messages, now or as soon as it is registered (before it
     * subscribes: a subscription alone would read as a program receiving pushes). The client sends it
     * again after each reconnect. Never waits.
     */
    void reportDelivery(Delivery how) {
        delivery = how;
        background.execute(this::sendDelivery);
    }

    private void sendDelivery() {
        PeersClient current = client;
        Delivery how = delivery;
        if (current == null || how == null) {
            return;
        }
        try {
            current.setDelivery(how);
        } catch (RuntimeException e) {
            LOG.warn("could not tell the broker how messages reach this session ({})", e.getMessage());
        }
    }

    /** Pushes every message to {@code listener} from now on (after the MCP client's initialized notification). */
    void enablePush(MessageListener listener) {
        pushListener = listener;
        background.execute(this::subscribeOnce);
    }

    /** The registered client, connecting now when the background attempt failed; waits at most {@code wait}. */
    PeersClient client(Duration wait) {
        PeersClient current = client;
        if (current != null) {
            return current;
        }
        try {
            if (!connectLock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new BrokerUnavailableException(
                        "still connecting to the peers broker at " + address() + "; try again in a few seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while connecting to the broker", e);
        }
        try {
            current = client;
            return current != null ? current : connectNow();
        } catch (RuntimeException e) {
            lastProblem = e.getMessage();
            throw e;
        } finally {
            connectLock.unlock();
        }
    }

    /** The client if connected and registered, else null; never waits. */
    PeersClient clientIfReady() {
        return client;
    }

    /** A one-time note for the agent about its registration (a refused name), then null. */
    String takeNotice() {
        String text = notice;
        notice = null;
        return text;
    }

    String lastProblem() {
        return lastProblem;
    }

    CallerFacts facts() {
        return facts;
    }

    /** Subscribes once when both the client and the push listener are there; retried by later calls on failure. */
    void subscribeOnce() {
        PeersClient current = client;
        MessageListener listener = pushListener;
        if (current == null || listener == null || !subscribed.compareAndSet(false, true)) {
            return;
        }
        try {
            current.subscribe(listener);
        } catch (RuntimeException e) {
            subscribed.set(false);
            LOG.warn("subscribing for pushes failed ({}); tool results still show unread messages", e.getMessage());
        }
    }

    /**
     * When the connection is down and no broker answers, starts one in the background (the client then
     * reconnects and resumes by itself). Only for the Unix socket, and only with a starter.
     */
    void reviveBroker() {
        PeersClient current = client;
        BrokerStarter starter = settings.brokerStarter();
        if (current == null
                || current.connected()
                || starter == null
                || settings.paths().tcpUrl() != null) {
            return;
        }
        background.execute(() -> {
            try {
                if (!starter.running() && starter.ensureRunning(START_TIMEOUT)) {
                    LOG.info(
                            "the broker was gone; started a new one for {}",
                            settings.paths().home());
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot start a broker: {}", e.getMessage());
            }
        });
    }

    private PeersClient connectNow() {
        if (closed.get()) {
            throw new BrokerUnavailableException("the MCP server is shutting down");
        }
        PeersPaths paths = settings.paths();
        boolean tcp = paths.tcpUrl() != null;
        BrokerStarter starter = settings.brokerStarter();
        if (!tcp && starter != null && !starter.running()) {
            if (starter.ensureRunning(START_TIMEOUT)) {
                LOG.info("started a peers broker for {}", paths.home());
            }
        }
        ClientOptions options = ClientOptions.defaults()
                .withClientName("peers-mcp/" + PeersMcp.VERSION)
                .withRequestTimeout(REQUEST_TIMEOUT);
        if (tcp) {
            options = options.withToken(BrokerEndpoint.token(paths));
        }
        PeersClient fresh = PeersClient.connect(BrokerEndpoint.connector(paths), options);
        try {
            CallerFacts known = facts;
            if (known == null) {
                known = CallerFacts.of(cwd, agentPid);
                facts = known;
            }
            register(fresh, known);
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
        client = fresh;
        lastProblem = null;
        LOG.info(
                "registered with the broker as {} ({})",
                fresh.self().displayName(),
                fresh.self().id());
        sendDelivery();
        subscribeOnce();
        return fresh;
    }

    private void register(PeersClient fresh, CallerFacts known) {
        RegisterRequest request = new RegisterRequest(
                tcpOr(known.agentPid()),
                settings.name(),
                known.cwd(),
                known.gitRoot(),
                known.repoKey(),
                known.repoRemote(),
                known.tty(),
                ClientType.fromWireName(settings.clientType()),
                null,
                null,
                sessionKey);
        try {
            noteTakeover(fresh.register(request));
        } catch (PeersException e) {
            switch (e.errorCode()) {
                case NAME_TAKEN, INVALID_NAME -> {
                    notice = "The name '" + settings.name() + "' was refused (" + e.getMessage()
                            + "), so this session has no name yet: call set_name with another one.";
                    fresh.register(request.withName(null));
                }
                case AGENT_NOT_VERIFIED -> {
                    // Run through a wrapper, the agent is not our parent: register without one (not killable).
                    LOG.warn("the broker could not verify the agent process {}: {}", known.agentPid(), e.getMessage());
                    fresh.register(request.withAgentPid(null));
                }
                default -> throw e;
            }
        }
    }

    /**
     * Names the agent session once the agent told it (Codex's thread, in a tool call's {@code _meta}): the
     * broker records it, and when this session's gone peer is there, {@code client} becomes that peer. Once
     * per key; a failure is logged and tried again at the next tool call.
     */
    void bindSession(PeersClient client, String key) {
        if (key == null || key.equals(sessionKey) || !"codex".equals(settings.clientType())) {
            return;
        }
        try {
            Results.Registered bound = client.bindSession(key);
            sessionKey = key;
            noteTakeover(bound);
        } catch (PeersException e) {
            LOG.warn("could not name this session to the broker ({})", e.getMessage());
        }
    }

    /**
     * A new agent process that took an earlier peer back by its session or its name is told so once, with
     * the mail that waited: it may not know it was that peer (a restarted Claude Code, a new terminal).
     */
    private void noteTakeover(Results.Registered registered) {
        if ("session".equals(registered.resumedBy()) || "name".equals(registered.resumedBy())) {
            PeerInfo peer = registered.peer();
            String who = peer.name() != null ? peer.name() + " (" + peer.id() + ")" : peer.id();
            int waiting = registered.pending();
            LOG.info("took back peer {} by its {}: {} messages waited", peer.id(), registered.resumedBy(), waiting);
            notice = "You are peer " + who + " again, taken back by your "
                    + ("session".equals(registered.resumedBy()) ? "session" : "name") + ": " + waiting
                    + (waiting == 1 ? " message waited" : " messages waited") + " for you"
                    + (waiting > 0 ? "; call check_messages." : ".");
        }
    }

    /**
     * The session id Claude Code gives its MCP servers ({@code CLAUDE_CODE_SESSION_ID}; 2.1.332 keeps it across
     * {@code claude --continue} and {@code --resume}, so a restarted session takes its peer back), when it is
     * a valid session key; null for other clients and for anything else.
     */
    static String sessionKeyOf(String clientType, Map<String, String> environment) {
        String id = environment.get("CLAUDE_CODE_SESSION_ID");
        if (!"claude-code".equals(clientType) || !RegisterRequest.isSessionKey(id)) {
            return null;
        }
        return id;
    }

    /** No agent pid over TCP: the broker cannot verify one there. */
    private Long tcpOr(Long pid) {
        return settings.paths().tcpUrl() != null ? null : pid;
    }

    private String address() {
        return BrokerEndpoint.describe(settings.paths());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        background.shutdownNow();
        PeersClient current = client;
        if (current != null) {
            current.close();
        }
    }
}
