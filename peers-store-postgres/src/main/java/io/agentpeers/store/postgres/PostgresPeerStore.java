package io.agentpeers.store.postgres;

import io.agentpeers.core.CommitInDoubtException;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.store.postgres.internal.Backoff;
import io.agentpeers.store.postgres.internal.ConnectionLoss;
import io.agentpeers.store.postgres.internal.Membership;
import io.agentpeers.store.postgres.internal.Outage;
import io.agentpeers.store.postgres.internal.RemoteBell;
import io.agentpeers.store.postgres.internal.Schema;
import io.agentpeers.store.postgres.internal.Session;
import io.agentpeers.store.postgres.internal.TransactionIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PeerStore} on a PostgreSQL database, through Jdbi: the tables live in the connection's
 * current schema.
 *
 * <p>One writer connection, lent under a lock to {@link #inTransaction}, and up to
 * {@value #MAX_READERS} reader connections for {@link #read}, each read one {@code REPEATABLE READ READ
 * ONLY} transaction: a consistent snapshot of committed state, running beside a write. Connections
 * live as long as the store.
 *
 * <p><b>Several brokers per schema.</b> Each store belongs to one broker ({@link PostgresBroker}: a stable
 * id and a host). The writer connection holds a session-level advisory lock on the schema and that id for
 * the life of the store: a second store of the same id is refused, stores of other ids share the schema.
 * Each peer row names the broker holding it; what the port says of "this broker's" peers ({@code
 * livePeers}, {@code markAllLivePeersGone}, the automatic resumes) reads those rows only, the rest (ids,
 * names, secrets, messages) is shared. The store joins {@code brokers} when it opens and beats every third
 * of the lease; each beat also marks gone the live peers of brokers whose beat is older than the lease.
 * A store that finds its own lease ran out (another broker marked its peers gone) is lost from then on, as
 * when its connection breaks. A message to another broker's peer notifies that broker's channel at commit
 * (a trigger); {@link #onRemoteCommit} LISTENs on this broker's channel. A kill of another broker's peer is a
 * row of {@code kill_requests}, rung the same way to its holder, and its answer back to the asker.
 * Writes of this JVM are serialised by one lock, and {@code READ COMMITTED} is enough for them.
 *
 * <p><b>An outage.</b> When the writer's connection breaks (SQL state class 08 or 57P01 to 57P03: the
 * server stopped or restarted, the network went), the store is unavailable: that call and every call
 * until it is back throw a {@link StoreUnavailableException} at once, without writing. A thread reconnects
 * with a {@link Backoff}, takes the broker id's lock again and renews the lease: then the store serves
 * again. A write whose COMMIT was under way when the connection broke throws a {@link
 * CommitInDoubtException}; each write learns its transaction id before its COMMIT (one round trip), and
 * the reconnection asks the server ({@code txid_status}) whether it committed. Should the outage outlast the
 * lease, or the lease be found run out at the reconnection (other brokers marked this one's peers gone),
 * the store is lost ({@link StoreLostException}) and tells {@link #onLost}'s listener, so that the broker
 * stops and its agents resume on its next start by secret. A reader whose connection broke is dropped;
 * that read fails with a {@link StoreUnavailableException}.
 *
 * <p>{@link #inTransaction} is not reentrant: calling it inside itself fails.
 */
public final class PostgresPeerStore implements PeerStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresPeerStore.class);

    static final int MAX_READERS = 4;

    /** How long an open waits for the broker id's lock, which a store closing a moment ago may still hold. */
    private static final long LOCK_WAIT_MILLIS = 1_000;

    /** The advisory lock's first key, "peer" in ASCII; the second is the hash of the schema's name and broker id. */
    private static final int LOCK_CLASS = 0x70656572;

    private final String where;
    private final Jdbi writers;
    /** Replaced by a reconnection, under the write lock. */
    private volatile Session writer;

    private final Jdbi readers;
    private final PostgresBroker broker;
    private final String channel;
    private final RemoteBell.Connector listenerConnector;
    private final ScheduledExecutorService heartbeat;
    private RemoteBell bell;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final Semaphore readerPermits = new Semaphore(MAX_READERS);
    private final Queue<Session> idleReaders = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StoreLostException lost;
    /** Null while the server is reachable. */
    private volatile Outage outage;
    /** When the lease was last renewed (System.nanoTime), to give up once an outage outlasts it. */
    private volatile long renewedNanos = System.nanoTime();

    private volatile Consumer<? super StoreLostException> lostListener = lost -> {};
    private Thread reconnector;

    private PostgresPeerStore(
            String where,
            Jdbi writers,
            Session writer,
            Jdbi readers,
            PostgresBroker broker,
            String channel,
            RemoteBell.Connector listenerConnector) {
        this.where = where;
        this.writers = writers;
        this.writer = writer;
        this.readers = readers;
        this.broker = broker;
        this.channel = channel;
        this.listenerConnector = listenerConnector;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "peers-pg-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(50, broker.lease().toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to the database at {@code jdbcUrl} as the broker {@link PostgresBroker#single()}, as
     * {@link #open(String, Properties, PostgresBroker)} does.
     *
     * @param jdbcUrl    for example {@code jdbc:postgresql://127.0.0.1:5432/peers}; a {@code currentSchema}
     *                   parameter picks another schema than the user's default
     * @param properties the driver's connection properties ({@code user}, {@code password}, ...); the
     *                   driver also reads the password from {@code ~/.pgpass} or {@code PGPASSFILE}
     * @return the open store; the caller closes it
     */
    public static PostgresPeerStore open(String jdbcUrl, Properties properties) {
        return open(jdbcUrl, properties, PostgresBroker.single());
    }

    /**
     * Connects to the database at {@code jdbcUrl}, takes the lock of this broker's id on the schema, brings
     * the schema up to date and joins its brokers. Fails with a {@link StoreException} when the server cannot
     * be reached, another store of the same broker id holds the schema, the schema holds another program's
     * tables, or its version is newer than this peers knows.
     *
     * @param jdbcUrl    for example {@code jdbc:postgresql://127.0.0.1:5432/peers}; a {@code currentSchema}
     *                   parameter picks another schema than the user's default
     * @param properties the driver's connection properties ({@code user}, {@code password}, ...); the
     *                   driver also reads the password from {@code ~/.pgpass} or {@code PGPASSFILE}
     * @param broker     who this store's broker is among those sharing the schema
     * @return the open store; the caller closes it
     */
    public static PostgresPeerStore open(String jdbcUrl, Properties properties, PostgresBroker broker) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(broker, "broker");
        // Without the parameters, which may hold a password.
        String where = jdbcUrl.indexOf('?') < 0 ? jdbcUrl : jdbcUrl.substring(0, jdbcUrl.indexOf('?'));
        Driver driver = new Driver();
        if (!driver.acceptsURL(jdbcUrl)) {
            throw new StoreException(
                    "cannot open the database " + where + ": not a jdbc:postgresql: URL the driver accepts");
        }
        Properties connection = withDefaults(properties, broker);
        String id = broker.id();

        Jdbi writerJdbi = jdbi(() -> connect(driver, jdbcUrl, connection, where, id, false));
        Session writer = openWriter(writerJdbi, where, broker);
        String schema = currentSchema(writer);
        // peers status and doctor show it: which schema, and which of the brokers sharing it this one is.
        String described = where + " (schema " + schema + ", broker " + id + ")";
        Jdbi readerJdbi = jdbi(() -> connect(driver, jdbcUrl, connection, where, id, true));
        RemoteBell.Connector listener = () -> {
            Connection c = connect(driver, jdbcUrl, connection, where, id, false);
            c.setAutoCommit(true);
            return c;
        };
        return new PostgresPeerStore(
                described, writerJdbi, writer, readerJdbi, broker, Membership.channel(schema, id), listener);
    }

    /**
     * Connects to the database {@code url} names, as {@link #open(String, Properties)} does.
     *
     * @param env the environment, for {@code PGPASSWORD}; without it the driver reads {@code PGPASSFILE}
     *            or {@code ~/.pgpass}
     * @return the open store; the caller closes it
     */
    public static PostgresPeerStore open(PostgresUrl url, Map<String, String> env) {
        return open(url.jdbcUrl(), url.properties(env));
    }

    /** Connects to the database {@code url} names as {@code broker}, as {@link #open(String, Properties, PostgresBroker)}. */
    public static PostgresPeerStore open(PostgresUrl url, Map<String, String> env, PostgresBroker broker) {
        return open(url.jdbcUrl(), url.properties(env), broker);
    }

    /** Always: another broker may open this schema at any time. */
    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public synchronized void onRemoteCommit(Runnable ring) {
        Objects.requireNonNull(ring, "ring");
        ensureOpen();
        if (bell != null) {
            bell.close(); // a network started again over this store: its bell replaces the first
        }
        bell = new RemoteBell(listenerConnector, channel, broker.poll(), ring);
        bell.start();
    }

    @Override
    public void onLost(Consumer<? super StoreLostException> listener) {
        Objects.requireNonNull(listener, "listener");
        lostListener = listener;
        StoreLostException already = lost;
        if (already != null) {
            tell(already);
        }
    }

    /** Whether the server is out of reach right now, and since when (for status and tests). */
    public Optional<Instant> unavailableSince() {
        Outage current = outage;
        return current == null ? Optional.empty() : Optional.of(current.since());
    }

    /** Who this store's broker is. */
    public PostgresBroker broker() {
        return broker;
    }

    @Override
    public <T> T inTransaction(StoreWork<T> work) {
        Objects.requireNonNull(work, "work");
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("inTransaction is not reentrant: do all the work in the outer transaction");
        }
        writeLock.lock();
        // The transaction's id once its work is done (null when it wrote nothing): a COMMIT that breaks is
        // looked up by it after the reconnection.
        Long[] xid = {null};
        boolean[] committing = {false};
        try {
            ensureOpen();
            refuseIfLost();
            refuseIfUnavailable();
            Session session = writer;
            return session.inTransaction(tx -> {
                T result = work.run(tx);
                xid[0] = assignedXid(session);
                committing[0] = true;
                return result;
            });
        } catch (JdbiException e) {
            throw unavailableOr(failure("write", e), committing[0] ? xid[0] : null);
        } catch (StoreException e) {
            throw unavailableOr(e, committing[0] ? xid[0] : null);
        } finally {
            writeLock.unlock();
        }
    }

    private static Long assignedXid(Session session) {
        try {
            return TransactionIds.assigned(session.connection());
        } catch (SQLException e) {
            throw new StoreException("the store failed to read its transaction id: " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T read(StoreWork<T> work) {
        Objects.requireNonNull(work, "work");
        ensureOpen();
        refuseIfLost();
        refuseIfUnavailable();
        readerPermits.acquireUninterruptibly();
        Session reader = null;
        boolean broken = false;
        try {
            reader = idleReaders.poll();
            if (reader == null) {
                reader = Session.attach(readers.open());
            }
            return reader.inTransaction(work);
        } catch (JdbiException e) {
            broken = ConnectionLoss.isConnectionLoss(e);
            throw broken ? readerLost(e) : failure("read", e);
        } catch (StoreException e) {
            broken = ConnectionLoss.isConnectionLoss(e);
            throw broken ? readerLost(e) : e;
        } finally {
            if (reader != null) {
                if (broken) {
                    closeQuietly(reader);
                } else {
                    idleReaders.add(reader);
                    if (closed.get()) {
                        closeIdleReaders();
                    }
                }
            }
            readerPermits.release();
        }
    }

    /** Closes every connection (releasing the broker's lock); waits for a write in progress. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.shutdownNow();
        Thread reconnecting;
        synchronized (this) {
            reconnecting = reconnector;
        }
        if (reconnecting != null) {
            reconnecting.interrupt();
            try {
                reconnecting.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Outage last = outage;
        if (last != null && last.inDoubt() != null) {
            last.inDoubt().completeExceptionally(new StoreException("the store " + where + " closed during an outage"));
        }
        synchronized (this) {
            if (bell != null) {
                bell.close();
            }
        }
        closeIdleReaders();
        writeLock.lock();
        try {
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String description() {
        return where;
    }

    @Override
    public String toString() {
        return "PostgresPeerStore[" + where + "]";
    }

    // ---- the broker's lease

    /**
     * Renews the lease and marks gone the peers of brokers whose lease ran out. A connection lost on the way
     * loses the store (its lock went with it); a lease found run out loses it too: other brokers took this
     * one for dead, and its peers may be resuming elsewhere.
     */
    private void beat() {
        writeLock.lock();
        try {
            if (closed.get() || lost != null || outage != null) {
                return;
            }
            int gone = Membership.beat(
                    writer.connection(),
                    broker.id(),
                    broker.lease().toMillis(),
                    broker.nameGrace().toMillis());
            if (gone < 0) {
                lose(leaseLapsed());
                return;
            }
            renewedNanos = System.nanoTime();
            if (gone > 0) {
                LOG.info("event=lease_expired peers_gone={} database=\"{}\"", gone, where);
            }
        } catch (SQLException e) {
            StoreException failure =
                    unavailableOr(new StoreException("the heartbeat on " + where + " failed: " + e, e), null);
            if (!(failure instanceof StoreUnavailableException)) {
                LOG.warn("event=error {}", failure.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("event=error the heartbeat on {} failed: {}", where, e.toString());
        } finally {
            writeLock.unlock();
        }
    }

    // ---- opening

    /** The caller's properties over this store's defaults: bounded waits, and a name in pg_stat_activity. */
    private static Properties withDefaults(Properties given, PostgresBroker broker) {
        Properties p = new Properties();
        p.setProperty("ApplicationName", "peers broker " + broker.id());
        // Seconds. A server that stops answering fails the call instead of hanging the writer thread.
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "60");
        p.setProperty("tcpKeepAlive", "true");
        p.putAll(given);
        return p;
    }

    private static Jdbi jdbi(org.jdbi.v3.core.ConnectionFactory connections) {
        Jdbi jdbi = Jdbi.create(connections);
        jdbi.installPlugin(new SqlObjectPlugin());
        // Every call commits or rolls back itself, on connections that are never in auto-commit mode.
        jdbi.getConfig(Handles.class).setForceEndTransactions(false);
        return jdbi;
    }

    private static Connection connect(
            Driver driver, String url, Properties properties, String where, String brokerId, boolean reader)
            throws SQLException {
        Connection c = driver.connect(url, properties);
        if (c == null) {
            throw new SQLException("the driver does not accept the URL " + where);
        }
        try {
            c.setAutoCommit(false);
            // For the session: the column defaults and the statements that say "this broker's" read it.
            try (PreparedStatement s = c.prepareStatement("SELECT set_config('peers.broker_id', ?, false)")) {
                s.setString(1, brokerId);
                s.execute();
            }
            c.commit();
            if (reader) {
                // One snapshot per read, and writes refused: read() promises committed state only.
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            } else {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static Session openWriter(Jdbi jdbi, String where, PostgresBroker broker) {
        Handle handle;
        try {
            handle = jdbi.open();
        } catch (JdbiException e) {
            throw new StoreException("cannot open the database " + where + ": " + e.getMessage(), e);
        }
        try {
            takeBrokerLock(handle, where, broker.id());
            Schema.migrate(handle, where);
            Membership.join(handle.getConnection(), broker.id(), broker.host());
            return Session.attach(handle);
        } catch (RuntimeException e) {
            try {
                handle.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof JdbiException) {
                throw new StoreException("cannot open the database " + where + ": " + e.getMessage(), e);
            }
            throw e;
        } catch (SQLException e) {
            handle.close();
            throw new StoreException("cannot join the brokers of " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Session-level: held until the writer's connection closes, whatever its transactions do. Keyed by
     * the schema and the broker's id, so that other brokers (and stores on other schemas) open beside this one.
     */
    private static void takeBrokerLock(Handle handle, String where, String brokerId) {
        try {
            String schema = handle.createQuery("SELECT current_schema()")
                    .mapTo(String.class)
                    .findOne()
                    .orElse(null);
            if (schema == null) {
                throw new StoreException("the database " + where + " has no current schema (no schema of the"
                        + " search_path exists): create the schema, or name an existing one in currentSchema");
            }
            // A store of this id that just closed leaves its session ending on the server for a moment: asked
            // again for up to LOCK_WAIT_MILLIS before refusing.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_WAIT_MILLIS);
            boolean taken;
            while (true) {
                taken = handle.createQuery("SELECT pg_try_advisory_lock(:class, hashtext(:key))")
                        .bind("class", LOCK_CLASS)
                        .bind("key", schema + "/" + brokerId)
                        .mapTo(Boolean.class)
                        .one();
                handle.getConnection().commit();
                if (taken || System.nanoTime() > deadline) {
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!taken) {
                throw new StoreException("the broker id " + brokerId + " on the schema " + schema
                        + " of the database " + where + " is in use by another peers broker: stop that one, or"
                        + " give this one a home (PEERS_HOME) of its own, whose broker id is its own");
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open the database " + where + ": " + e.getMessage(), e);
        }
    }

    private static String currentSchema(Session session) {
        try {
            String schema = session.handle()
                    .createQuery("SELECT current_schema()")
                    .mapTo(String.class)
                    .one();
            session.connection().commit();
            return schema;
        } catch (JdbiException | SQLException e) {
            session.close();
            throw new StoreException("cannot open the database: " + e.getMessage(), e);
        }
    }

    // ---- helpers

    private void ensureOpen() {
        if (closed.get()) {
            throw new StoreException("the store " + where + " is closed");
        }
    }

    private void closeIdleReaders() {
        Session reader;
        while ((reader = idleReaders.poll()) != null) {
            closeQuietly(reader);
        }
    }

    private void closeQuietly(Session session) {
        try {
            session.close();
        } catch (JdbiException e) {
            LOG.warn("closing a connection to {} failed", where, e);
        }
    }

    /** After a loss, reads could serve a state another broker is changing, and writes would fail: both are refused. */
    private void refuseIfLost() {
        StoreLostException first = lost;
        if (first != null) {
            throw new StoreLostException(first.getMessage(), first);
        }
    }

    /** During an outage every call is refused at once, saying which database, since when and the next try. */
    private void refuseIfUnavailable() {
        Outage current = outage;
        if (current != null) {
            throw current.refusal();
        }
    }

    private StoreUnavailableException readerLost(Exception e) {
        Outage current = outage;
        return current != null
                ? current.refusal(e)
                : new StoreUnavailableException(
                        "the broker cannot reach its database " + where + " for this read (" + e.getMessage()
                                + "): try again in a few seconds",
                        e);
    }

    /**
     * A write that failed because the writer's connection broke starts an outage: the write is refused as
     * unavailable, or held in doubt when its COMMIT was under way ({@code committingXid}). Under the write lock.
     */
    private StoreException unavailableOr(StoreException failure, Long committingXid) {
        if (failure instanceof StoreLostException || failure instanceof StoreUnavailableException) {
            return failure;
        }
        if (!ConnectionLoss.isConnectionLoss(failure)) {
            return failure;
        }
        Outage started = beginOutage(failure, committingXid);
        return started.inDoubt() != null ? started.doubt(failure) : started.refusal(failure);
    }

    /** Under the write lock: drops the dead connections and starts the reconnecting thread. */
    private Outage beginOutage(Throwable cause, Long inDoubtXid) {
        Outage current = outage;
        if (current != null) {
            return current;
        }
        Outage started = new Outage(where, Instant.now(), rootMessage(cause), inDoubtXid);
        outage = started;
        LOG.warn(
                "event=store_unavailable database=\"{}\" commit_in_doubt={} cause=\"{}\": refusing requests,"
                        + " reconnecting in the background",
                where,
                inDoubtXid != null,
                rootMessage(cause));
        closeQuietly(writer);
        closeIdleReaders();
        synchronized (this) {
            if (!closed.get()) {
                reconnector = new Thread(() -> reconnect(started), "peers-pg-reconnect");
                reconnector.setDaemon(true);
                reconnector.start();
            }
        }
        return started;
    }

    /**
     * Reconnects with backoff until the writer is back (its lock taken again, its lease renewed) or the
     * lease is found run out (the store is lost then). The commit in doubt is settled before requests are
     * taken again.
     */
    private void reconnect(Outage current) {
        Backoff backoff = Backoff.standard();
        long leaseNanos = broker.lease().toNanos();
        int attempts = 0;
        while (!closed.get()) {
            // Never past the lease's end: the broker gives up on time, not up to a backoff step later.
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(renewedNanos + leaseNanos - System.nanoTime());
            long wait = Math.max(1, Math.min(backoff.next(), leftMillis));
            current.nextTry(Instant.now().plusMillis(wait));
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            if (closed.get()) {
                return;
            }
            if (System.nanoTime() - renewedNanos > leaseNanos) {
                lose(new StoreLostException("this broker (" + broker.id() + ") could not reach its database " + where
                        + " for longer than its lease (" + broker.lease().toMillis() + " ms) since " + current.since()
                        + ": other brokers may have marked its peers gone, so it stops, and its agents resume"
                        + " when it starts again (or on another broker, by secret)"));
                return;
            }
            attempts++;
            Handle handle = null;
            try {
                handle = writers.open();
                takeBrokerLock(handle, where, broker.id());
                int gone = Membership.beat(
                        handle.getConnection(),
                        broker.id(),
                        broker.lease().toMillis(),
                        broker.nameGrace().toMillis());
                if (gone < 0) {
                    handle.close();
                    lose(leaseLapsed());
                    return;
                }
                renewedNanos = System.nanoTime();
                Boolean committed = current.inDoubtXid() == null
                        ? null
                        : TransactionIds.committed(handle.getConnection(), current.inDoubtXid());
                Session fresh = Session.attach(handle);
                handle = null;
                writeLock.lock();
                try {
                    if (closed.get()) {
                        // Closed while this attempt connected: its connection (and the lock it holds) goes too.
                        closeQuietly(fresh);
                        return;
                    }
                    writer = fresh;
                } finally {
                    writeLock.unlock();
                }
                settle(current, committed);
                outage = null;
                LOG.info(
                        "event=store_reconnected database=\"{}\" down_ms={} attempts={}",
                        where,
                        Duration.between(current.since(), Instant.now()).toMillis(),
                        attempts);
                return;
            } catch (JdbiException | StoreException | SQLException e) {
                if (handle != null) {
                    try {
                        handle.close();
                    } catch (RuntimeException ignored) {
                        // A connection that half opened: closing is all that was wanted.
                    }
                }
                LOG.debug("event=reconnect_failed database=\"{}\" attempt={}: {}", where, attempts, rootMessage(e));
            }
        }
    }

    private void settle(Outage current, Boolean committed) {
        if (current.inDoubt() == null) {
            return;
        }
        if (committed == null) {
            current.inDoubt()
                    .completeExceptionally(new StoreException("the database " + where
                            + " cannot say whether transaction " + current.inDoubtXid() + " committed"));
        } else {
            LOG.info("event=commit_settled database=\"{}\" committed={}", where, committed);
            current.inDoubt().complete(committed);
        }
    }

    private StoreLostException leaseLapsed() {
        return new StoreLostException("this broker (" + broker.id() + ") did not renew its lease on " + where
                + " within " + broker.lease().toMillis() + " ms, and another broker marked its peers gone:"
                + " it stops, and its agents resume when it starts again (or on another broker, by secret)");
    }

    /** From now on every call is refused as lost; the listener hears it once. */
    private void lose(StoreLostException e) {
        synchronized (this) {
            if (lost != null) {
                return;
            }
            lost = e;
        }
        LOG.warn("event=store_lost broker={} database=\"{}\": {}", broker.id(), where, e.getMessage());
        Outage current = outage;
        if (current != null && current.inDoubt() != null) {
            current.inDoubt().completeExceptionally(e);
        }
        tell(e);
    }

    private void tell(StoreLostException e) {
        try {
            lostListener.accept(e);
        } catch (RuntimeException ignored) {
            // Its contract forbids throwing; the refusals hold whatever it did.
        }
    }

    /** The driver's own words: the deepest message in the chain (an end of stream has none of its own). */
    private static String rootMessage(Throwable e) {
        String message = e.toString();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private StoreException failure(String what, JdbiException e) {
        return new StoreException("the store " + where + " failed to " + what + ": " + e.getMessage(), e);
    }
}
