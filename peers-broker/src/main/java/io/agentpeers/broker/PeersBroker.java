package io.agentpeers.broker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.dispatch.BrokerContext;
import io.agentpeers.broker.dispatch.BrokerDispatcher;
import io.agentpeers.broker.server.ConnectionServer;
import io.agentpeers.broker.server.ConnectionServerOptions;
import io.agentpeers.core.Credentials;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.SweepReport;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.ProcessControl;
import io.agentpeers.dashboard.DashboardServer;
import io.agentpeers.process.ProcessControls;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.transport.TransportListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peers broker in this JVM: a {@link PeerNetwork} over a {@link PeerStore}, served on every
 * {@link TransportListener} it is given, with the periodic sweep. It knows no concrete store or
 * transport: whoever starts it picks them (the app wires SQLite, a Unix socket and optionally TCP; a
 * test or an orchestrator may use the in-memory store and the in-VM transport).
 *
 * <pre>{@code
 * InVmListener listener = new InVmListener("tests");
 * try (PeersBroker broker = PeersBroker.builder()
 *         .store(new InMemoryPeerStore())
 *         .listen(listener)                    // or a UnixSocketListener, a TcpListener, several
 *         .start();
 *      PeersClient client = PeersClient.connect(listener.connector())) {
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops accepting, writes the replies in flight, closes every connection, stops
 * the writer and closes the store if it was given with {@link Builder#ownedStore(PeerStore)} or opened by
 * the broker; idempotent.
 *
 * <p>A broker never stays half alive: when one of its threads dies of an error it cannot serve through
 * (a selector loop, a worker, the store lost under it), it logs one line, closes itself and keeps the
 * cause in {@link #failure()}; a process hosting it then exits non-zero so that its service manager
 * restarts it.
 */
public final class PeersBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeersBroker.class);

    private final Builder config;
    private final Instant startedAt;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** MCP servers whose agent died, kept until their own process ends (the sweep reports each once). */
    private final Map<PeerId, Peer> orphans = new ConcurrentHashMap<>();

    private final AtomicReference<Instant> lastSweepAt = new AtomicReference<>();
    private final List<String> listeners = new ArrayList<>();
    private BrokerLock lock;
    private BrokerLock databaseLock;
    private PeerStore store;
    private PeerNetwork network;
    private BrokerDispatcher dispatcher;
    private ConnectionServer server;
    private ScheduledExecutorService sweeper;
    private volatile long idleSinceNanos = System.nanoTime();
    /** The browser dashboard, from the first {@code dashboard} request on; null until then. */
    private DashboardServer dashboard;

    private DashboardPerson dashboardPerson;

    private PeersBroker(Builder config) {
        this.config = config;
        this.startedAt = config.clock.instant();
    }

    /** A builder with no store and no listener yet; {@link Builder#start()} needs both. */
    public static Builder builder() {
        return new Builder();
    }

    private PeersBroker startUp() {
        try {
            if (config.lockFile != null) {
                lock = BrokerLock.acquire(config.lockFile);
            }
            if (config.database != null) {
                databaseLock = BrokerLock.acquireDatabase(config.database);
            }
            // Opened only now, under the lock: a second broker of the same home never touches the store.
            store = config.store != null ? config.store : Objects.requireNonNull(config.opener.get(), "store");
            AtomicReference<BrokerDispatcher> pushTo = new AtomicReference<>();
            network = new PeerNetwork(
                    store,
                    config.processes,
                    config.clock,
                    config.limits,
                    events -> {
                        BrokerDispatcher target = pushTo.get();
                        if (target != null) {
                            target.committed(events);
                        }
                    },
                    lost -> fail("the store was lost", lost));
            int leftover = network.start();
            dispatcher = new BrokerDispatcher(network, new Context());
            pushTo.set(dispatcher);
            server = new ConnectionServer(dispatcher, config.serverOptions, this::fail);
            for (TransportListener listener : config.listeners) {
                server.start(listener);
                listeners.add(listener.transport() + ":" + listener.address());
            }
            sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "peers-sweep");
                thread.setDaemon(true);
                return thread;
            });
            long period = config.sweepInterval.toMillis();
            sweeper.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
            if (config.idleTimeout != null) {
                // Checked on its own beat: a short idle timeout (a test's) need not wait for the next sweep.
                long check = Math.max(100, Math.min(period, config.idleTimeout.toMillis() / 10));
                sweeper.scheduleWithFixedDelay(this::checkIdle, check, check, TimeUnit.MILLISECONDS);
            }
            LOG.info(
                    "event=start pid={} listeners={} database=\"{}\" previous_peers={}",
                    ProcessHandle.current().pid(),
                    listeners,
                    store.description(),
                    leftover);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Runs one sweep now (the broker also sweeps on its own every sweep interval). */
    public SweepReport sweep() {
        SweepReport report = network.sweep();
        report.orphans().forEach(orphan -> orphans.put(orphan.id(), orphan));
        lastSweepAt.set(config.clock.instant());
        if (!report.wentGone().isEmpty()
                || !report.orphans().isEmpty()
                || report.undeliverable() > 0
                || report.prunedMessages() > 0
                || report.prunedPeers() > 0) {
            LOG.info(
                    "event=sweep gone={} orphans={} terminated={} undeliverable={} pruned_messages={} pruned_peers={}",
                    report.wentGone().size(),
                    report.orphans().size(),
                    report.terminatedOrphans(),
                    report.undeliverable(),
                    report.prunedMessages(),
                    report.prunedPeers());
        }
        for (Peer orphan : report.orphans()) {
            LOG.warn(
                    "event=orphan peer={} pid={} agent_pid={}: its agent died{}",
                    orphan.id(),
                    orphan.connection().pid(),
                    orphan.agent().pid(),
                    config.limits.terminateOrphans() ? "; terminated" : "; `peers cleanup` ends it");
        }
        return report;
    }

    private void tick() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("event=error sweep failed: {}", e.toString());
        } catch (Throwable e) {
            // A scheduled task that throws an Error is never run again: no sweeps would be a half-alive broker.
            fail("the sweep died", e);
        }
    }

    /** Stops the broker once it has had no connection for the idle timeout. */
    private void checkIdle() {
        try {
            if (dispatcher.connectionCount() > 0) {
                idleSinceNanos = System.nanoTime();
            } else if (System.nanoTime() - idleSinceNanos > config.idleTimeout.toNanos() && !closed.get()) {
                LOG.info("event=idle-exit idle_for={}s", config.idleTimeout.toSeconds());
                Thread closer = new Thread(this::close, "peers-idle-close");
                closer.start();
            }
        } catch (RuntimeException e) {
            LOG.warn("event=error idle check failed: {}", e.toString()); // a task that throws is never run again
        }
    }

    /** The network this broker serves, for programs that embed it. */
    public PeerNetwork network() {
        return network;
    }

    /** Where it listens, one {@code transport:address} per listener, in the order they were given. */
    public List<String> listeners() {
        return List.copyOf(listeners);
    }

    /**
     * Why the broker stopped on its own, when it did: an error in one of its threads that it could not
     * serve through. Empty while it runs and after an ordinary stop.
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Stops the broker because {@code cause} leaves it unable to serve everyone: one log line, then a
     * close on a thread of its own (the failing thread may be one that the close waits for).
     */
    void fail(String what, Throwable cause) {
        if (!failure.compareAndSet(null, cause)) {
            return;
        }
        try {
            LOG.error("event=fatal {}: {}; the broker stops", what, cause.toString());
        } catch (Throwable logFailed) {
            // Out of memory, perhaps: stopping matters more than the line.
        }
        Thread closer = new Thread(this::close, "peers-fatal-close");
        closer.setDaemon(false);
        closer.start();
    }

    /** Blocks until the broker stopped (by {@link #close()}, a shutdown request or the idle timeout). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Blocks until the broker stopped or {@code timeout} passed, whichever comes first.
     *
     * @return whether it stopped
     */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        synchronized (this) {
            closeQuietly(dashboard);
        }
        if (dispatcher != null) {
            dispatcher.stopping(); // its peers go gone in one write once the server closed every connection
        }
        closeQuietly(server);
        closeQuietly(dispatcher);
        closeQuietly(network);
        if (config.ownsStore) {
            closeQuietly(store);
        }
        closeQuietly(databaseLock);
        closeQuietly(lock);
        LOG.info("event=stop pid={}", ProcessHandle.current().pid());
        stopped.countDown();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }

    /** What the dispatcher asks of the broker. */
    private final class Context implements BrokerContext {
        @Override
        public boolean tokenAccepted(String presented) {
            return config.token != null
                    && presented != null
                    && MessageDigest.isEqual(
                            config.token.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String tokenLocation() {
            return config.tokenFile == null
                    ? "the file token in the broker's PEERS_HOME"
                    : "the file " + config.tokenFile + " on the broker's machine";
        }

        @Override
        public void describe(ObjectNode stats) {
            Instant now = config.clock.instant();
            stats.put("pid", ProcessHandle.current().pid());
            stats.put("started_at", startedAt.toString());
            stats.put("uptime_ms", Duration.between(startedAt, now).toMillis());
            stats.put("database", store.description());
            ArrayNode list = stats.putArray("listeners");
            listeners.forEach(list::add);
            orphans.values().removeIf(orphan -> !config.processes.isAlive(orphan.connection()));
            stats.set("orphans", PeersJson.peers(List.copyOf(orphans.values())));
            Instant at = lastSweepAt.get();
            stats.put("last_sweep", at == null ? null : at.toString());
        }

        @Override
        public ObjectNode serveDashboard(int port, Peer person, Credentials credentials) {
            synchronized (PeersBroker.this) {
                if (closed.get()) {
                    throw new InvalidArgumentException("the broker is stopping");
                }
                boolean started = dashboard == null;
                if (started) {
                    DashboardPerson acting = new DashboardPerson(network, person, credentials);
                    dashboard = BrokerDashboard.serve(network, dispatcher, acting, port);
                    dashboardPerson = acting;
                } else if (port != 0 && port != dashboard.port()) {
                    throw new InvalidArgumentException("the dashboard is served on port " + dashboard.port()
                            + " already; leave --port out, or restart the broker to move it");
                } else {
                    dashboardPerson.update(person, credentials);
                }
                ObjectNode result = PeersJson.peer(person).objectNode();
                result.put("url", dashboard.newLoginUrl());
                result.put("port", dashboard.port());
                result.put("started", started);
                result.put("acting_as", dashboardPerson.name());
                return result;
            }
        }

        @Override
        public <T> T apartFromDashboardActions(Supplier<T> kill) {
            DashboardPerson acting;
            synchronized (PeersBroker.this) {
                acting = dashboardPerson;
            }
            return acting == null ? kill.get() : acting.apart(kill);
        }

        @Override
        public void requestShutdown() {
            Thread closer = new Thread(PeersBroker.this::close, "peers-shutdown");
            closer.start();
        }
    }

    /** How to start a broker: a store and at least one listener are required. */
    public static final class Builder {
        private final List<TransportListener> listeners = new ArrayList<>();
        private String token;
        private Path tokenFile;
        private Path lockFile;
        private Path database;
        private PeerStore store;
        private Supplier<? extends PeerStore> opener;
        private boolean ownsStore;
        private PeersLimits limits = PeersLimits.defaults();
        private Duration sweepInterval = Duration.ofSeconds(5);
        private Duration idleTimeout;
        private ProcessControl processes = ProcessControls.forThisMachine();
        private InstantSource clock = InstantSource.system();
        // A handler waits for its write's commit; 16 workers let 16 connections' writes share one
        // transaction (group commit), still a fixed number of threads whatever the connection count.
        // Four selector threads a listener: junixsocket's selector polls every connection it holds on
        // each wake-up, and with 1,000 idle peers one loop halved the send rate (16 senders: 6-7k/s).
        private ConnectionServerOptions serverOptions =
                ConnectionServerOptions.defaults().withWorkerThreads(16).withSelectorLoops(4);

        private Builder() {}

        private Builder copy() {
            Builder copy = new Builder();
            copy.listeners.addAll(listeners);
            copy.token = token;
            copy.tokenFile = tokenFile;
            copy.lockFile = lockFile;
            copy.database = database;
            copy.store = store;
            copy.opener = opener;
            copy.ownsStore = ownsStore;
            copy.limits = limits;
            copy.sweepInterval = sweepInterval;
            copy.idleTimeout = idleTimeout;
            copy.processes = processes;
            copy.clock = clock;
            copy.serverOptions = serverOptions;
            return copy;
        }

        /** Serve connections from this listener (the broker binds it at start and closes it at stop). */
        public Builder listen(TransportListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The token that callers a transport cannot vouch for (TCP) must present in {@code hello}. */
        public Builder token(String value) {
            this.token = value;
            return this;
        }

        /**
         * The token, and the file it is kept in: a refused caller is told that path (its own PEERS_HOME may be
         * another one).
         */
        public Builder token(String value, Path file) {
            this.token = value;
            this.tokenFile = file;
            return this;
        }

        /** Hold this lock file, so that one home has one broker. */
        public Builder lockFile(Path path) {
            this.lockFile = path;
            return this;
        }

        /**
         * The database file the store keeps: a lock beside it ({@link BrokerLock#acquireDatabase}) refuses a
         * second broker, of another home, that names the same file.
         */
        public Builder databaseLock(Path file) {
            this.database = file;
            return this;
        }

        /** Use this store; the caller closes it after the broker. */
        public Builder store(PeerStore peerStore) {
            this.store = Objects.requireNonNull(peerStore, "store");
            this.opener = null;
            this.ownsStore = false;
            return this;
        }

        /** Use this store and close it when the broker stops (or fails to start). */
        public Builder ownedStore(PeerStore peerStore) {
            this.store = Objects.requireNonNull(peerStore, "store");
            this.opener = null;
            this.ownsStore = true;
            return this;
        }

        /**
         * Open the store at start, once the broker holds its {@link #lockFile lock}, and close it when the
         * broker stops: a broker refused for its lock then never opens (or migrates) the store of a
         * broker that runs.
         */
        public Builder ownedStore(Supplier<? extends PeerStore> open) {
            this.opener = Objects.requireNonNull(open, "open");
            this.store = null;
            this.ownsStore = true;
            return this;
        }

        /**
         * The network's limits (sizes, rates, grace and retention periods); {@link PeersLimits#defaults()}
         * unless set.
         */
        public Builder limits(PeersLimits value) {
            this.limits = Objects.requireNonNull(value);
            return this;
        }

        /**
         * How long the sweep waits between runs; 5 seconds unless set. Under a millisecond (zero, negative)
         * {@link #start()} fails with an {@code IllegalArgumentException}.
         */
        public Builder sweepInterval(Duration value) {
            this.sweepInterval = Objects.requireNonNull(value);
            return this;
        }

        /** Stop after this long without connections; never by default. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /**
         * How the broker looks at and signals local processes (whether peers' processes live, {@code kill}, the
         * sweep's orphans); this machine's ({@link ProcessControls#forThisMachine()}) unless set.
         */
        public Builder processes(ProcessControl value) {
            this.processes = Objects.requireNonNull(value);
            return this;
        }

        /**
         * The clock of every time stamp and period of the network (rate limits, grace, retention) and of
         * {@code stats}; the system clock unless set. The sweep's schedule and the idle timeout run on real time.
         */
        public Builder clock(InstantSource value) {
            this.clock = Objects.requireNonNull(value);
            return this;
        }

        /**
         * The connection server's limits and threads. Replaces the broker's own defaults as a whole: those are
         * {@link ConnectionServerOptions#defaults()} with 16 worker threads and 4 selector loops a listener, so
         * start from {@code ConnectionServerOptions.defaults().withWorkerThreads(16).withSelectorLoops(4)} to
         * keep them.
         */
        public Builder serverOptions(ConnectionServerOptions value) {
            this.serverOptions = Objects.requireNonNull(value);
            return this;
        }

        /** Binds every listener and starts serving; on failure nothing is left open. */
        public PeersBroker start() {
            if (store == null && opener == null) {
                throw new InvalidArgumentException("give the broker a store");
            }
            if (listeners.isEmpty()) {
                if (ownsStore && store != null) {
                    store.close();
                }
                throw new InvalidArgumentException("give the broker at least one listener");
            }
            // A copy: changing this builder later must not change the running broker.
            return new PeersBroker(copy()).startUp();
        }
    }
}
