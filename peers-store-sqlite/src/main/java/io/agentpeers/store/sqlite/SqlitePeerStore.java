package io.agentpeers.store.sqlite;

import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.store.sqlite.internal.DatabaseFiles;
import io.agentpeers.store.sqlite.internal.Schema;
import io.agentpeers.store.sqlite.internal.Session;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * A {@link PeerStore} on one SQLite database, through Jdbi.
 *
 * <p>On a file: one writer connection, lent under a lock to {@link #inTransaction} (which begins
 * {@code IMMEDIATE}, so it holds SQLite's write lock from the start), and up to
 * {@value #MAX_READERS} reader connections for {@link #read}. The journal is WAL, so reads run
 * concurrently with a write and see the last committed state. Connections live as long as the store:
 * opening one per call is many times slower.
 *
 * <p>In memory ({@link #openInMemory()}): one private connection serves writes and reads alike, under
 * the same lock, so reads are serialised with writes; a read inside a write transaction on the same
 * thread sees that transaction's own writes.
 *
 * <p>{@link #inTransaction} is not reentrant: calling it inside itself fails.
 *
 * <p>Before each commit the store checks that its files are still the ones it opened
 * ({@link DatabaseFiles}); when one was deleted, replaced or truncated, that transaction rolls back
 * with a {@link StoreLostException}, and every later write and read fails with it too.
 */
public final class SqlitePeerStore implements PeerStore {
    private static final Logger LOG = LoggerFactory.getLogger(SqlitePeerStore.class);

    static final int MAX_READERS = 4;
    /** A reader connection's page cache, in KiB ({@code PRAGMA cache_size} negative). */
    static final int READER_CACHE_KIB = 512;
    /** How long a connection waits for SQLite's lock held by another connection before it fails. */
    static final int BUSY_TIMEOUT_MILLIS = 5_000;

    private final String where;
    private final Session writer;
    /** Null in memory, where the writer's connection also serves reads. */
    private final Jdbi readers;
    /** Null in memory. */
    private final DatabaseFiles files;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final Semaphore readerPermits = new Semaphore(MAX_READERS);
    private final Queue<Session> idleReaders = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StoreLostException lost;

    private SqlitePeerStore(String where, Session writer, Jdbi readers, DatabaseFiles files) {
        this.where = where;
        this.writer = writer;
        this.readers = readers;
        this.files = files;
    }

    /**
     * Opens (creating when missing) the database in {@code file} and brings its schema up to date.
     * Folders created on the way get mode 0700 and a new file 0600, where the file system has POSIX
     * permissions. Fails with a {@link StoreException} for a file that is not a peers database or
     * whose schema is newer than this peers knows.
     *
     * @param file the database file, for example {@code ~/.peers/peers.db}
     * @return the open store; the caller closes it
     */
    public static SqlitePeerStore open(Path file) {
        return open(file, SqliteSync.FULL);
    }

    /**
     * As {@link #open(Path)}, with commits as durable as {@code sync} says: {@link SqliteSync#FULL}
     * (an fsync per commit, so per group of writes) or {@link SqliteSync#NORMAL}.
     */
    public static SqlitePeerStore open(Path file, SqliteSync sync) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sync, "sync");
        Path path = file.toAbsolutePath().normalize();
        String where = path.toString();
        if (where.indexOf('?') >= 0) {
            // sqlite-jdbc reads what follows '?' in its URL as connection options.
            throw new StoreException("cannot open the database " + where + ": the path must not contain '?'");
        }
        createPrivately(path);
        String url = "jdbc:sqlite:" + where;

        SQLiteConfig writerConfig = baseConfig();
        writerConfig.setJournalMode(SQLiteConfig.JournalMode.WAL);
        writerConfig.setSynchronous(sync.mode());
        writerConfig.enforceForeignKeys(true);
        Session writer = openWriter(where, Jdbi.create(() -> writerConfig.createConnection(url)));
        DatabaseFiles files;
        try {
            files = DatabaseFiles.of(path);
        } catch (StoreException e) {
            writer.close();
            throw e;
        }

        SQLiteConfig readerConfig = baseConfig();
        // Each connection keeps its own page cache (SQLite's default 2 MiB, native memory the broker never
        // gives back): the readers' lookups touch a few index pages, and the OS caches the file anyway.
        readerConfig.setCacheSize(-READER_CACHE_KIB);
        Jdbi readers = Jdbi.create(() -> readerConfig.createConnection(url));
        readers.installPlugin(new SqlObjectPlugin());
        return new SqlitePeerStore(where, writer, readers, files);
    }

    /** Opens a new, empty, private database in memory; it disappears on {@link #close()}. */
    public static SqlitePeerStore openInMemory() {
        SQLiteConfig config = baseConfig();
        config.enforceForeignKeys(true);
        // A plain ":memory:" database belongs to its one connection: private by construction.
        Session writer = openWriter("in memory", Jdbi.create(() -> config.createConnection("jdbc:sqlite::memory:")));
        return new SqlitePeerStore("in memory", writer, null, null);
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
            if (files == null) {
                return writer.inTransaction("BEGIN IMMEDIATE", work);
            }
            return writer.inTransaction("BEGIN IMMEDIATE", tx -> {
                T result = work.run(tx);
                // Last before COMMIT: a commit into a lost file would be acknowledged and then lost.
                files.verify();
                return result;
            });
        } catch (StoreLostException e) {
            if (lost == null) {
                lost = e;
            }
            throw e;
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
        if (readers == null) {
            writeLock.lock();
            try {
                ensureOpen();
                return writer.readOnly(work);
            } catch (JdbiException e) {
                throw failure("read", e);
            } finally {
                writeLock.unlock();
            }
        }
        ensureOpen();
        refuseIfLost();
        readerPermits.acquireUninterruptibly();
        Session reader = null;
        try {
            reader = idleReaders.poll();
            if (reader == null) {
                reader = openReader();
            }
            return reader.inTransaction("BEGIN", work);
        } catch (JdbiException e) {
            throw failure("read", e);
        } finally {
            if (reader != null) {
                idleReaders.add(reader);
                if (closed.get()) {
                    closeIdleReaders();
                }
            }
            readerPermits.release();
        }
    }

    /** Closes every connection; waits for a write in progress; reads in progress finish first. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeIdleReaders();
        writeLock.lock();
        try {
            writer.close();
        } catch (JdbiException e) {
            LOG.warn("closing the database {} failed", where, e);
        } finally {
            writeLock.unlock();
        }
    }

    /** A reader connection's {@code PRAGMA cache_size}: for tests. */
    int readerCacheSize() {
        Session reader = openReader();
        try {
            return reader.handle()
                    .createQuery("PRAGMA cache_size")
                    .mapTo(Integer.class)
                    .one();
        } finally {
            reader.close();
        }
    }

    /** The writer connection's {@code PRAGMA synchronous} (1 NORMAL, 2 FULL): for tests. */
    int writerSynchronous() {
        writeLock.lock();
        try {
            ensureOpen();
            return writer.handle()
                    .createQuery("PRAGMA synchronous")
                    .mapTo(Integer.class)
                    .one();
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
        return "SqlitePeerStore[" + where + "]";
    }

    // ---- opening

    private static SQLiteConfig baseConfig() {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        return config;
    }

    private static Session openWriter(String where, Jdbi jdbi) {
        jdbi.installPlugin(new SqlObjectPlugin());
        Handle handle;
        try {
            handle = jdbi.open();
        } catch (JdbiException e) {
            throw new StoreException(
                    "cannot open the database " + where + " (is it a SQLite database?): " + e.getMessage(), e);
        }
        try {
            Schema.migrate(handle, where);
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
        }
    }

    private Session openReader() {
        Handle handle = readers.open();
        try {
            // The reader connections refuse writes: read() promises committed state only.
            handle.execute("PRAGMA query_only = 1");
            return Session.attach(handle);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** Creates missing folders with mode 0700 and a missing file with mode 0600, so that SQLite's -wal and -shm files copy 0600. */
    private static void createPrivately(Path file) {
        try {
            Path dir = file.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            if (!Files.exists(file)) {
                try {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    // Another process created it first: open theirs.
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot create the database " + file + ": " + e, e);
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
            try {
                reader.close();
            } catch (JdbiException e) {
                LOG.warn("closing a reader of {} failed", where, e);
            }
        }
    }

    /** After a loss, reads would serve a stale state and writes would go nowhere: both are refused. */
    private void refuseIfLost() {
        StoreLostException first = lost;
        if (first != null) {
            throw new StoreLostException(first.getMessage(), first);
        }
    }

    /**
     * A write that failed may have failed because its files went (a truncated file reads short): then
     * the loss is the failure to report. Called under the write lock.
     */
    private StoreException lostOr(StoreException failure) {
        if (files == null) {
            return failure;
        }
        try {
            files.verify();
            return failure;
        } catch (StoreLostException e) {
            e.addSuppressed(failure);
            if (lost == null) {
                lost = e;
            }
            return e;
        } catch (StoreException e) {
            return failure;
        }
    }

    private StoreException failure(String what, JdbiException e) {
        return new StoreException("the store " + where + " failed to " + what + ": " + e.getMessage(), e);
    }
}
