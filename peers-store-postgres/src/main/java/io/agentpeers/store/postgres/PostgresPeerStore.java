package io.agentpeers.store.postgres;

import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.store.postgres.internal.ConnectionLoss;
import io.agentpeers.store.postgres.internal.Membership;
import io.agentpeers.store.postgres.internal.RemoteBell;
import io.agentpeers.store.postgres.internal.Schema;
import io.agentpeers.store.postgres.internal.Session;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p><b>A lost connection.</b> When the writer's connection breaks (the server stopped or restarted,
 * the network went), its advisory lock is gone with it, and another broker may hold the schema now: the
 * store throws a {@link StoreLostException} for that write and every call after, as the SQLite store
 * does for a deleted file, so that the broker stops and its service starts a fresh one. A reader whose
 * connection broke is dropped; that read fails with a {@link StoreException}.
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
    private final Session writer;
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

    private PostgresPeerStore(
            String where,
            Session writer,
            Jdbi readers,
            PostgresBroker broker,
            String channel,
            RemoteBell.Connector listenerConnector) {
        this.where = where;
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
        return new PostgresPeerStore(described, writer, readerJdbi, broker, Membership.channel(schema, id), listener);
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
        try {
            ensureOpen();
            refuseIfLost();
            return writer.inTransaction(work);
        } catch (JdbiException e) {
            throw lostOr(failure("write", e));
        } catch (StoreException e) {
            throw lostOr(e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public <T> T read(StoreWork<T> work) {
        Objects.requireNonNull(work, "work");
        ensureOpen();
        refuseIfLost();
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
            throw failure("read", e);
        } catch (StoreException e) {
            broken = ConnectionLoss.isConnectionLoss(e);
            throw e;
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
            if (closed.get() || lost != null) {
                return;
            }
            int gone = Membership.beat(
                    writer.connection(),
                    broker.id(),
                    broker.lease().toMillis(),
                    broker.nameGrace().toMillis());
            if (gone < 0) {
                lost = new StoreLostException("this broker (" + broker.id() + ") did not renew its lease on " + where
                        + " within " + broker.lease().toMillis() + " ms, and another broker marked its peers gone:"
                        + " it stops, and its agents resume when it starts again (or on another broker, by secret)");
                LOG.warn("event=lease_lost broker={} database=\"{}\"", broker.id(), where);
            } else if (gone > 0) {
                LOG.info("event=lease_expired peers_gone={} database=\"{}\"", gone, where);
            }
        } catch (SQLException e) {
            StoreException failure = lostOr(new StoreException("the heartbeat on " + where + " failed: " + e, e));
            if (!(failure instanceof StoreLostException)) {
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

    /** A write that failed because the writer's connection broke loses the store. Called under the write lock. */
    private StoreException lostOr(StoreException failure) {
        if (failure instanceof StoreLostException e) {
            return e;
        }
        if (!ConnectionLoss.isConnectionLoss(failure)) {
            return failure;
        }
        StoreLostException e = new StoreLostException(
                "the connection to the database " + where + " was lost, and with it the schema's lock: "
                        + failure.getMessage(),
                failure);
        if (lost == null) {
            lost = e;
        }
        return e;
    }

    private StoreException failure(String what, JdbiException e) {
        return new StoreException("the store " + where + " failed to " + what + ": " + e.getMessage(), e);
    }
}
