package io.agentpeers.store.sqlite;

import static io.agentpeers.store.sqlite.Fixtures.T0;
import static io.agentpeers.store.sqlite.Fixtures.livePeer;
import static io.agentpeers.store.sqlite.Fixtures.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.Peer;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.port.StoreTransaction;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database's files deleted, replaced or truncated under an open store: the next write fails with a
 * {@link StoreLostException} before its COMMIT, and so does every later write and read. SQLite alone
 * would go on committing into the unlinked files. SQLite's own work on the files (checkpoints that
 * start the WAL over or truncate it, pruning) never counts as a loss.
 */
class LostDatabaseFileTest {
    @TempDir
    Path dir;

    private final AtomicInteger sent = new AtomicInteger();

    @Test
    void aDeletedDatabaseFileFailsTheNextWriteAndEveryLaterWriteAndRead() throws Exception {
        Path file = dir.resolve("peers.db");
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            Peer a = insertPeer(store);
            Files.delete(file);

            StoreLostException lost = assertThrows(StoreLostException.class, () -> send(store, a));
            assertTrue(lost.getMessage().contains(file + " was deleted"), lost.getMessage());
            assertEquals("store_failure", lost.code());
            assertThrows(StoreLostException.class, () -> send(store, a), "a later write");
            assertThrows(StoreLostException.class, () -> store.read(StoreTransaction::counts), "a later read");
        }
    }

    @Test
    void aDatabaseFileReplacedByAnotherFailsTheNextWrite() throws Exception {
        Path file = dir.resolve("peers.db");
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            Peer a = insertPeer(store);
            Path copy = Files.copy(file, dir.resolve("copy.db"));
            Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING);

            StoreLostException lost = assertThrows(StoreLostException.class, () -> send(store, a));
            assertTrue(lost.getMessage().contains(file + " was replaced"), lost.getMessage());
        }
    }

    @Test
    void aTruncatedDatabaseFileFailsTheNextWrite() throws Exception {
        Path file = dir.resolve("peers.db");
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            Peer a = insertPeer(store);
            assertTrue(Files.size(file) > 0, "the file has pages: " + Files.size(file));
            try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
                raw.setLength(0);
            }

            StoreLostException lost = assertThrows(StoreLostException.class, () -> send(store, a));
            assertTrue(lost.getMessage().contains(file + " was truncated"), lost.getMessage());
        }
    }

    @Test
    void aDeletedWalFailsTheNextWrite() throws Exception {
        Path file = dir.resolve("peers.db");
        Path wal = dir.resolve("peers.db-wal");
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            Peer a = insertPeer(store);
            Files.delete(wal);

            StoreLostException lost = assertThrows(StoreLostException.class, () -> send(store, a));
            assertTrue(lost.getMessage().contains(wal + " was deleted"), lost.getMessage());
            assertThrows(StoreLostException.class, () -> store.read(StoreTransaction::counts), "a later read");
        }
    }

    @Test
    void aWalReplacedByAnotherFailsTheNextWrite() throws Exception {
        Path file = dir.resolve("peers.db");
        Path wal = dir.resolve("peers.db-wal");
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            Peer a = insertPeer(store);
            Path copy = Files.copy(wal, dir.resolve("copy.db-wal"));
            Files.move(copy, wal, StandardCopyOption.REPLACE_EXISTING);

            StoreLostException lost = assertThrows(StoreLostException.class, () -> send(store, a));
            assertTrue(lost.getMessage().contains(wal + " was replaced"), lost.getMessage());
        }
    }

    @Test
    void checkpointsPruningAndWalTruncationNeverCountAsALoss() throws Exception {
        Path file = dir.resolve("peers.db");
        Path wal = dir.resolve("peers.db-wal");
        String text = "x".repeat(4_000);
        try (SqlitePeerStore store = SqlitePeerStore.open(file);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertEquals(0, pragma(other, "auto_vacuum"), "auto_vacuum off: the file never shrinks");
            Peer a = insertPeer(store);
            long fileAtStart = Files.size(file);
            // About 12 MB of messages: several automatic checkpoints (every 1,000 pages of 4 KiB).
            for (int round = 0; round < 3; round++) {
                for (int batch = 0; batch < 50; batch++) {
                    store.inTransaction(tx -> {
                        for (int i = 0; i < 20; i++) {
                            tx.markRead(
                                    a.id(),
                                    List.of(tx.insertMessage(message(a, a, text, T0))
                                            .id()),
                                    T0);
                        }
                        return null;
                    });
                }
                if (round == 0) {
                    assertTrue(
                            Files.size(file) > fileAtStart + 2_000_000,
                            "automatic checkpoints copied pages into the file: " + Files.size(file));
                }
                // Pruning frees pages; the file keeps them on its free list.
                store.inTransaction(tx -> tx.deleteFinishedMessages(T0.plusSeconds(1)));
                // Another connection's checkpoint that truncates the WAL to nothing.
                try (Statement statement = other.createStatement()) {
                    statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                assertEquals(0, Files.size(wal), "the WAL was truncated");
                send(store, a);
            }
            assertEquals(1L + 3, (long) store.read(tx -> tx.counts().messages()), "what the last round left");
        }
        try (SqlitePeerStore reopened = SqlitePeerStore.open(file)) {
            assertEquals(4L, (long) reopened.read(tx -> tx.counts().messages()));
        }
    }

    private Peer insertPeer(SqlitePeerStore store) {
        Peer a = livePeer("a", "/w", T0);
        store.inTransaction(tx -> {
            tx.insertPeer(a);
            return null;
        });
        send(store, a);
        return a;
    }

    private long send(SqlitePeerStore store, Peer to) {
        return store.inTransaction(tx -> tx.insertMessage(message(to, to, "m-" + sent.incrementAndGet(), T0))
                .id());
    }

    private static int pragma(Connection connection, String name) throws Exception {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("PRAGMA " + name)) {
            return result.getInt(1);
        }
    }
}
