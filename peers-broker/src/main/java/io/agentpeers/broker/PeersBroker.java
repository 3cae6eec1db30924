package io.agentpeers.broker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.SweepReport;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.ProcessControl;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.dispatch.BrokerContext;
import io.agentpeers.protocol.dispatch.BrokerDispatcher;
import io.agentpeers.protocol.server.ConnectionServer;
import io.agentpeers.protocol.server.ConnectionServerOptions;
import io.agentpeers.store.sqlite.SqlitePeerStore;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.tcp.TokenFile;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peers broker in this JVM: a {@link PeerNetwork} over a store, served on a Unix socket and
 * optionally on TCP, with the periodic sweep. Orchestrators and tests start one in one call:
 *
 * <pre>{@code
 * try (PeersBroker broker = PeersBroker.builder().socket(dir.resolve("peers.sock"))
 *         .store(new InMemoryPeerStore()).start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops accepting, writes the replies in flight, closes every connection, stops
 * the writer and closes the store if the broker opened it; idempotent.
 */
public final class PeersBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeersBroker.class);

    private final Builder config;
    private final Instant startedAt;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** MCP servers whose agent died, kept until their own process ends (the sweep reports each once). */
    private final Map<PeerId, Peer> orphans = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> lastSweepAt = new AtomicReference<>();
    private final List<String> listeners = new ArrayList<>();
    private BrokerLock lock;
    private PeerStore store;
    private boolean ownsStore;
    private PeerNetwork network;
    private BrokerDispatcher dispatcher;
    private ConnectionServer server;
    private ScheduledExecutorService sweeper;
    private String token;
    private String tcpAddress;
    private volatile long idleSinceNanos = System.nanoTime();

    private PeersBroker(Builder config) {
        this.config = config;
        this.startedAt = config.clock.instant();
    }

    public static Builder builder() {
        return new Builder();
    }

    private PeersBroker startUp() {
        try {
            if (config.lockFile != null) {
                lock = BrokerLock.acquire(config.lockFile);
            }
            if (config.socket != null && UnixSocketListener.probe(config.socket) == SocketFileState.LIVE) {
                throw new BrokerLock.BrokerAlreadyRunningException("a broker already answers at " + config.socket
                        + ": use it, or stop it with `peers broker stop`");
            }
            if (config.store != null) {
                store = config.store;
            } else {
                store = SqlitePeerStore.open(config.database);
                ownsStore = true;
            }
            AtomicReference<BrokerDispatcher> pushTo = new AtomicReference<>();
            network = new PeerNetwork(store, config.processes, config.clock, config.limits, events -> {
                BrokerDispatcher target = pushTo.get();
                if (target != null) {
                    target.committed(events);
                }
            });
            int leftover = network.start();
            dispatcher = new BrokerDispatcher(network, new Context(), config.serverOptions.maxLineBytes());
            pushTo.set(dispatcher);
            server = new ConnectionServer(dispatcher, config.serverOptions);
            if (config.socket != null) {
                UnixSocketListener.removeIfStale(config.socket);
                UnixSocketListener unix = new UnixSocketListener(config.socket);
                server.start(unix);
                listeners.add("unix:" + unix.address());
            }
            if (config.tcp != null) {
                token = new TokenFile(config.tokenFile).readOrCreate();
                TcpListener tcp = new TcpListener(TcpAddress.parse(config.tcp));
                server.start(tcp);
                tcpAddress = tcp.address();
                listeners.add("tcp:" + tcpAddress);
            }
            sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "peers-sweep");
                thread.setDaemon(true);
                return thread;
            });
            long period = config.sweepInterval.toMillis();
            sweeper.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
            LOG.info("event=start pid={} listeners={} database=\"{}\" previous_peers={}", ProcessHandle.current().pid(),
                    listeners, describeStore(), leftover);
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
        if (!report.wentGone().isEmpty() || !report.orphans().isEmpty() || report.undeliverable() > 0
                || report.prunedMessages() > 0 || report.prunedPeers() > 0) {
            LOG.info("event=sweep gone={} orphans={} terminated={} undeliverable={} pruned_messages={} pruned_peers={}",
                    report.wentGone().size(), report.orphans().size(), report.terminatedOrphans(),
                    report.undeliverable(), report.prunedMessages(), report.prunedPeers());
        }
        for (Peer orphan : report.orphans()) {
            LOG.warn("event=orphan peer={} pid={} agent_pid={}: its agent died{}", orphan.id(),
                    orphan.connection().pid(), orphan.agent().pid(),
                    config.limits.terminateOrphans() ? "; terminated" : "; `peers cleanup` ends it");
        }
        return report;
    }

    private void tick() {
        try {
            sweep();
            if (config.idleTimeout != null) {
                if (dispatcher.connectionCount() > 0) {
                    idleSinceNanos = System.nanoTime();
                } else if (System.nanoTime() - idleSinceNanos > config.idleTimeout.toNanos()) {
                    LOG.info("event=idle-exit idle_for={}s", config.idleTimeout.toSeconds());
                    Thread closer = new Thread(this::close, "peers-idle-close");
                    closer.start();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("event=error sweep failed: {}", e.toString());
        }
    }

    /** The network this broker serves, for programs that embed it. */
    public PeerNetwork network() {
        return network;
    }

    public Path socket() {
        return config.socket;
    }

    /** The bound TCP address (host:port, the real port when 0 was asked), or null when TCP is off. */
    public String tcpAddress() {
        return tcpAddress;
    }

    /** The TCP token clients must present, or null when TCP is off. */
    public String token() {
        return token;
    }

    /** Blocks until the broker stopped (by {@link #close()}, a shutdown request or the idle timeout). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String describeStore() {
        return config.database != null ? config.database.toString() : store.getClass().getSimpleName();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        closeQuietly(server);
        closeQuietly(dispatcher);
        closeQuietly(network);
        if (ownsStore) {
            closeQuietly(store);
        }
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
            return token != null && presented != null && TokenFile.matches(token, presented);
        }

        @Override
        public void describe(ObjectNode stats) {
            Instant now = config.clock.instant();
            stats.put("pid", ProcessHandle.current().pid());
            stats.put("started_at", startedAt.toString());
            stats.put("uptime_ms", Duration.between(startedAt, now).toMillis());
            stats.put("database", describeStore());
            ArrayNode list = stats.putArray("listeners");
            listeners.forEach(list::add);
            orphans.values().removeIf(orphan -> !config.processes.isAlive(orphan.connection()));
            stats.set("orphans", PeersJson.peers(List.copyOf(orphans.values())));
            Instant at = lastSweepAt.get();
            stats.put("last_sweep", at == null ? null : at.toString());
        }

        @Override
        public void requestShutdown() {
            Thread closer = new Thread(PeersBroker.this::close, "peers-shutdown");
            closer.start();
        }
    }

    /** How to start a broker. Either {@link #store} or {@link #database} is required. */
    public static final class Builder {
        private Path socket;
        private String tcp;
        private Path tokenFile;
        private Path lockFile;
        private PeerStore store;
        private Path database;
        private PeersLimits limits = PeersLimits.defaults();
        private Duration sweepInterval = Duration.ofSeconds(5);
        private Duration idleTimeout;
        private ProcessControl processes = new ProcfsProcessControl();
        private InstantSource clock = InstantSource.system();
        // A handler waits for its write's commit; 16 workers let 16 connections' writes share one
        // transaction (group commit), still a fixed number of threads whatever the connection count.
        // Four selector threads a listener: junixsocket's selector polls every connection it holds on
        // each wake-up, and with 1,000 idle peers one loop halved the send rate (16 senders: 6-7k/s).
        private ConnectionServerOptions serverOptions = ConnectionServerOptions.defaults()
                .withWorkerThreads(16)
                .withSelectorLoops(4);

        private Builder() {
        }

        /** Listen on this Unix socket path. */
        public Builder socket(Path path) {
            this.socket = path;
            return this;
        }

        /** Also listen on TCP at {@code host:port} (port 0 picks one), with the token in {@code tokenFile}. */
        public Builder tcp(String address, Path tokenFile) {
            this.tcp = address;
            this.tokenFile = tokenFile;
            return this;
        }

        /** Hold this lock file, so that one home has one broker. */
        public Builder lockFile(Path path) {
            this.lockFile = path;
            return this;
        }

        /** Use this store; the caller closes it after the broker. */
        public Builder store(PeerStore peerStore) {
            this.store = peerStore;
            return this;
        }

        /** Open (and own) a SQLite database at this path. */
        public Builder database(Path path) {
            this.database = path;
            return this;
        }

        public Builder limits(PeersLimits value) {
            this.limits = Objects.requireNonNull(value);
            return this;
        }

        public Builder sweepInterval(Duration value) {
            this.sweepInterval = Objects.requireNonNull(value);
            return this;
        }

        /** Stop after this long without connections; never by default. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        public Builder processes(ProcessControl value) {
            this.processes = Objects.requireNonNull(value);
            return this;
        }

        public Builder clock(InstantSource value) {
            this.clock = Objects.requireNonNull(value);
            return this;
        }

        public Builder serverOptions(ConnectionServerOptions value) {
            this.serverOptions = Objects.requireNonNull(value);
            return this;
        }

        /** Binds and starts serving; on failure nothing is left open. */
        public PeersBroker start() {
            if ((store == null) == (database == null)) {
                throw new PeersException("invalid_argument", "give the broker either a store or a database path");
            }
            if (socket == null && tcp == null) {
                throw new PeersException("invalid_argument", "give the broker a socket path or a TCP address");
            }
            if (tcp != null && tokenFile == null) {
                throw new PeersException("invalid_argument", "TCP needs a token file");
            }
            return new PeersBroker(this).startUp();
        }
    }
}
