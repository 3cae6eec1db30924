package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.BrokerLock;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.NotPrivateException;
import io.agentpeers.protocol.PeersPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker process keeps its files only where no other user can reach them (issue 11, point 4). */
@Timeout(30)
class BrokerConfigHomeTest {
    @TempDir
    Path dir;

    @Test
    void aFreshHomeIsMade0700WithTheLockTokenAndDatabase0600() throws IOException {
        Path home = dir.resolve("p");

        try (PeersBroker ignored = start(PeersPaths.under(home).withTcp("127.0.0.1:0"))) {
            assertEquals("rwx------", mode(home));
            for (String file : new String[] {"broker.lock", "token", "peers.db", "peers.db.lock"}) {
                assertEquals("rw-------", mode(home.resolve(file)), file);
            }
        }
    }

    @Test
    void aHomeOthersMayWriteInIsRefused() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> start(PeersPaths.under(home)));

        assertTrue(refused.getMessage().contains("chmod 700 " + home), refused.getMessage());
        assertTrue(Files.notExists(home.resolve("peers.db")), "nothing was written in it");
    }

    @Test
    void aLinkedDatabaseIsRefusedAndWhatItPointsAtIsLeftAlone() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        Path target = Files.createFile(dir.resolve("root-owned"));
        Files.createSymbolicLink(home.resolve("peers.db"), target);

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> start(PeersPaths.under(home)));

        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        assertEquals(0, Files.size(target), "SQLite wrote no database into it");
    }

    @Test
    void aLinkedWriteAheadLogIsRefused() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        Path target = Files.createFile(dir.resolve("root-owned"));
        Files.createSymbolicLink(home.resolve("peers.db-wal"), target);

        assertThrows(NotPrivateException.class, () -> start(PeersPaths.under(home)));

        assertEquals(0, Files.size(target));
    }

    @Test
    void aDatabaseFolderOutsideTheHomeIsHeldToTheSameRule() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("db"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        PeersPaths paths = PeersPaths.under(dir.resolve("p")).withDatabase(folder.resolve("peers.db"));

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> start(paths));

        assertTrue(refused.getMessage().contains("chmod 700 " + folder), refused.getMessage());
        assertTrue(Files.notExists(folder.resolve("peers.db")));
    }

    @Test
    void twoHomesGivenTheSameDatabaseAreRefusedTheSecondUntilTheFirstStops() {
        Path database = dir.resolve("shared").resolve("same.db");
        PeersPaths first = PeersPaths.under(dir.resolve("a")).withDatabase(database);
        PeersPaths second = PeersPaths.under(dir.resolve("b")).withDatabase(database);

        try (PeersBroker ignored = start(first)) {
            BrokerLock.BrokerAlreadyRunningException refused =
                    assertThrows(BrokerLock.BrokerAlreadyRunningException.class, () -> start(second));
            assertEquals(
                    "another broker (pid " + ProcessHandle.current().pid() + ") uses the database " + database
                            + ": give this one a database of its own (--db or PEERS_DB), or stop that broker",
                    refused.getMessage());
            assertTrue(Files.notExists(dir.resolve("b").resolve("peers.sock")), "the second listens nowhere");
        }
        try (PeersBroker next = start(second)) {
            assertTrue(next.listeners().get(0).contains(dir.resolve("b").toString()), "free once the first stopped");
        }
    }

    private static PeersBroker start(PeersPaths paths) {
        return BrokerConfig.from(paths, Map.of()).start();
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
