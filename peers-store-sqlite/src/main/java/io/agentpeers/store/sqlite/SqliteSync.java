package io.agentpeers.store.sqlite;

import io.agentpeers.core.InvalidArgumentException;
import java.util.Locale;
import org.sqlite.SQLiteConfig;

/**
 * When a commit of the file store counts as done: SQLite's {@code synchronous} setting under WAL.
 * {@link #FULL} (the default) fsyncs the WAL at every commit, so an acknowledged write survives a
 * power loss; the writer groups the writes that queue up meanwhile, so it is one fsync per group.
 * {@link #NORMAL} appends to the WAL without an fsync: a commit survives kill -9 and any crash of the
 * broker (the page cache outlives the process) but a power loss or kernel crash may undo the last
 * commits (the database stays consistent). {@code PEERS_SYNC=normal} chooses it.
 */
public enum SqliteSync {
    FULL(SQLiteConfig.SynchronousMode.FULL),
    NORMAL(SQLiteConfig.SynchronousMode.NORMAL);

    private final SQLiteConfig.SynchronousMode mode;

    SqliteSync(SQLiteConfig.SynchronousMode mode) {
        this.mode = mode;
    }

    SQLiteConfig.SynchronousMode mode() {
        return mode;
    }

    /** {@code full} or {@code normal}, any case; null or blank is the default, {@link #FULL}. */
    public static SqliteSync parse(String value) {
        if (value == null || value.isBlank()) {
            return FULL;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "full" -> FULL;
            case "normal" -> NORMAL;
            default ->
                throw new InvalidArgumentException("PEERS_SYNC must be full (every acknowledged write is on disk,"
                        + " the default) or normal (survives a crash of the broker, not a power loss), not '"
                        + value + "'");
        };
    }
}
