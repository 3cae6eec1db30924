package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreLostException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The database file and its write-ahead log as the store opened them, checked before each commit.
 * SQLite writes through the descriptors it opened: when the files are deleted or replaced under it, its
 * commits still succeed, into files that nobody will read again, and are lost at the next start.
 *
 * <p>Lost means: the database file is missing, another file has its name (device and inode, where the
 * file system reports them), or it is shorter than last seen; the WAL is missing or another file has its
 * name, once it existed. A peers database never shrinks (auto_vacuum is off and the store never runs
 * VACUUM), so only a truncation makes it shorter. The WAL's size says nothing: SQLite's checkpoints
 * start it over and may truncate it.
 *
 * <p>A check is two stat calls: 3 to 9 microseconds on a busy 2-core machine, where the single-row
 * commit it precedes took 275 to 535 (SqliteStoreBenchmark). Not thread-safe: the store calls it
 * under its write lock.
 */
public final class DatabaseFiles {
    private final Path database;
    private final Path wal;
    private final Object databaseKey;
    private long databaseSize;
    private boolean walSeen;
    private Object walKey;

    private DatabaseFiles(Path database, Path wal, BasicFileAttributes attributes) {
        this.database = database;
        this.wal = wal;
        this.databaseKey = attributes.fileKey();
        this.databaseSize = attributes.size();
    }

    /** Remembers {@code database} and its WAL as they are now, once the store has opened them. */
    public static DatabaseFiles of(Path database) {
        try {
            // SQLite names the WAL after the file that a symbolic link points to.
            Path wal = Path.of(database.toRealPath() + "-wal");
            DatabaseFiles files = new DatabaseFiles(database, wal, attributes(database));
            files.verify();
            return files;
        } catch (IOException e) {
            throw new StoreException("cannot look at the database file " + database + ": " + e, e);
        }
    }

    /**
     * Throws a {@link StoreLostException} when a file was deleted, replaced or truncated since the store
     * opened it, and a {@link StoreException} when the files cannot be looked at.
     */
    public void verify() {
        try {
            verifyDatabase();
            verifyWal();
        } catch (NoSuchFileException e) {
            throw lost(e.getFile() + " was deleted");
        } catch (IOException e) {
            throw new StoreException("cannot look at the database file " + database + ": " + e, e);
        }
    }

    private void verifyDatabase() throws IOException {
        BasicFileAttributes now = attributes(database);
        if (!Objects.equals(now.fileKey(), databaseKey)) {
            throw lost(database + " was replaced by another file");
        }
        if (now.size() < databaseSize) {
            throw lost(database + " was truncated from " + databaseSize + " to " + now.size() + " bytes");
        }
        databaseSize = now.size();
    }

    private void verifyWal() throws IOException {
        if (!walSeen) {
            if (Files.exists(wal)) {
                walKey = attributes(wal).fileKey();
                walSeen = true;
            }
            return;
        }
        if (!Objects.equals(attributes(wal).fileKey(), walKey)) {
            throw lost(wal + " was replaced by another file");
        }
    }

    private static BasicFileAttributes attributes(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class);
    }

    private static StoreLostException lost(String what) {
        return new StoreLostException("the database file " + what
                + " while the store had it open: writes from now on would be lost, so the store takes no more");
    }
}
