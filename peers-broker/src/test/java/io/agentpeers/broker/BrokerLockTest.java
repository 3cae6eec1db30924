package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.NotPrivateException;
import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock of a home is taken only in a private folder, never through a link, and made 0600. */
class BrokerLockTest {
    @TempDir
    Path dir;

    @Test
    void theLockIsMade0600InAFolderMade0700AndNamesItsHolder() throws IOException {
        Path lock = dir.resolve("home").resolve("broker.lock");

        try (BrokerLock held = BrokerLock.acquire(lock)) {
            assertEquals("rw-------", mode(lock));
            assertEquals("rwx------", mode(lock.getParent()));
            BrokerLock.BrokerAlreadyRunningException second =
                    assertThrows(BrokerLock.BrokerAlreadyRunningException.class, () -> BrokerLock.acquire(lock));
            assertTrue(
                    second.getMessage()
                            .contains("(pid " + ProcessHandle.current().pid() + ")"),
                    second.getMessage());
        }
    }

    @Test
    void aDatabaseIsLockedBesideItWhateverHomeNamesIt() throws IOException {
        Path database = dir.resolve("db").resolve("same.db");

        try (BrokerLock held = BrokerLock.acquireDatabase(database)) {
            assertEquals(dir.resolve("db").resolve("same.db.lock"), held.path());
            assertEquals("rw-------", mode(held.path()));
            BrokerLock.BrokerAlreadyRunningException second = assertThrows(
                    BrokerLock.BrokerAlreadyRunningException.class, () -> BrokerLock.acquireDatabase(database));
            assertTrue(
                    second.getMessage()
                            .startsWith("another broker (pid "
                                    + ProcessHandle.current().pid() + ") uses the database " + database + ": "),
                    second.getMessage());
        }
        BrokerLock.acquireDatabase(database).close(); // released with the first
    }

    @Test
    void aLinkedLockIsRefusedAndWhatItPointsAtIsLeftAlone() throws IOException {
        Path target = Files.writeString(dir.resolve("root-owned"), "precious\n");
        Path lock = Files.createSymbolicLink(dir.resolve("broker.lock"), target);

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> BrokerLock.acquire(lock));

        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        assertEquals("precious\n", Files.readString(target), "not truncated, no pid written");
    }

    @Test
    void aLockInAFolderOthersMayWriteInIsRefused() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));

        NotPrivateException refused =
                assertThrows(NotPrivateException.class, () -> BrokerLock.acquire(home.resolve("broker.lock")));

        assertTrue(refused.getMessage().contains("chmod 700 " + home), refused.getMessage());
        assertTrue(Files.notExists(home.resolve("broker.lock")));
    }

    @Test
    void aLockOfAnotherUserIsRefused() throws IOException {
        Path lock = Files.writeString(dir.resolve("broker.lock"), "");
        Assumptions.assumeTrue(PrivateFiles.currentUid() == 0, "only root can give a file to another user");
        Files.setOwner(
                lock, lock.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> BrokerLock.acquire(lock));

        assertTrue(refused.getMessage().contains("belongs to nobody"), refused.getMessage());
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
