package io.agentpeers.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.InvalidArgumentException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSyncTest {

    @Test
    void fullUnlessNormalIsAskedFor() {
        assertEquals(SqliteSync.FULL, SqliteSync.parse(null));
        assertEquals(SqliteSync.FULL, SqliteSync.parse(" "));
        assertEquals(SqliteSync.FULL, SqliteSync.parse("FULL"));
        assertEquals(SqliteSync.NORMAL, SqliteSync.parse(" normal "));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> SqliteSync.parse("off"));
        assertTrue(e.getMessage().contains("PEERS_SYNC"), e.getMessage());
    }

    @Test
    void theWriterConnectionRunsWithTheChosenSetting(@TempDir Path dir) {
        // PRAGMA synchronous: 1 is NORMAL, 2 is FULL.
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("full.db"))) {
            assertEquals(2, store.writerSynchronous());
        }
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("normal.db"), SqliteSync.NORMAL)) {
            assertEquals(1, store.writerSynchronous());
        }
    }

    @Test
    void readerConnectionsKeepASmallPageCache(@TempDir Path dir) {
        // Negative: KiB. Five connections at SQLite's default 2 MiB each grew the broker's native memory.
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("cache.db"))) {
            assertEquals(-SqlitePeerStore.READER_CACHE_KIB, store.readerCacheSize());
        }
    }
}
