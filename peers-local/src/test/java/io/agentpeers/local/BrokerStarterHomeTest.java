package io.agentpeers.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.NotPrivateException;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The starter writes {@code start.lock} and {@code broker.log} in the home before any broker runs, so
 * it holds the home to {@link PrivateFiles}' rule first: a "broker" here is a shell that leaves a mark
 * and exits, so a refusal shows as no mark.
 */
@Timeout(30)
class BrokerStarterHomeTest {
    @TempDir
    Path dir;

    @Test
    void aHomeOthersMayWriteInIsRefusedBeforeAnythingIsWrittenOrStarted() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> start(home));

        assertTrue(refused.getMessage().contains("chmod 700 " + home), refused.getMessage());
        assertEquals("rwxrwxrwx", mode(home), "left as it was: the person decides what to do with it");
        assertNothingStartedIn(home);
    }

    @Test
    void aHomeOfAnotherUserIsRefusedEvenForRoot() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        giveToNobody(home);

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> start(home));

        assertTrue(refused.getMessage().contains("belongs to nobody (uid 65534)"), refused.getMessage());
        assertNothingStartedIn(home);
    }

    @Test
    void aSocketFolderOthersMayWriteInIsRefused() throws IOException {
        Path home = dir.resolve("p");
        Path sockets = Files.createDirectory(dir.resolve("s"));
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxrwxrwx"));
        PeersPaths paths = PeersPaths.under(home).withSocket(sockets.resolve("peers.sock"));

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> start(paths));

        assertTrue(refused.getMessage().contains("chmod 700 " + sockets), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("started")));
    }

    @Test
    void aLinkedBrokerLogIsRefusedAndWhatItPointsAtIsLeftAlone() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        Path target = Files.writeString(dir.resolve("root-owned"), "precious\n");
        Files.createSymbolicLink(home.resolve("broker.log"), target);

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> start(home));

        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        assertEquals("precious\n", Files.readString(target));
        assertFalse(Files.exists(dir.resolve("started")), "no broker was started to write through it");
    }

    @Test
    void aLinkedStartLockIsRefusedAndWhatItPointsAtIsLeftAlone() throws IOException {
        Path home = Files.createDirectory(dir.resolve("p"));
        Path target = Files.writeString(dir.resolve("root-owned"), "precious\n");
        Files.createSymbolicLink(home.resolve("start.lock"), target);

        assertThrows(NotPrivateException.class, () -> start(home));

        assertEquals("precious\n", Files.readString(target));
        assertFalse(Files.exists(dir.resolve("started")));
    }

    @Test
    void aFreshHomeIsMade0700WithItsLogAndLock0600() throws IOException {
        Path home = dir.resolve("fresh").resolve(".peers");

        BrokerStartFailedException exited = assertThrows(BrokerStartFailedException.class, () -> start(home));

        assertTrue(exited.getMessage().contains("exited with code 3"), exited.getMessage());
        assertTrue(Files.exists(dir.resolve("started")), "the broker command ran");
        assertEquals("rwx------", mode(home));
        assertEquals("rw-------", mode(home.resolve("broker.log")));
        assertEquals("rw-------", mode(home.resolve("start.lock")));
    }

    private void start(Path home) {
        start(PeersPaths.under(home));
    }

    private void start(PeersPaths paths) {
        List<String> command = List.of("/bin/sh", "-c", "touch '" + dir.resolve("started") + "'; exit 3");
        new BrokerStarter(paths, command, Map.of()).ensureRunning(Duration.ofSeconds(10));
    }

    private void assertNothingStartedIn(Path home) {
        assertFalse(Files.exists(dir.resolve("started")), "no broker was started");
        assertFalse(Files.exists(home.resolve("start.lock"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(home.resolve("broker.log"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    private static void giveToNobody(Path path) throws IOException {
        Assumptions.assumeTrue(PrivateFiles.currentUid() == 0, "only root can give a file to another user");
        Files.setOwner(
                path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
