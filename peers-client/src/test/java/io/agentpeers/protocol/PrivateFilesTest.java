package io.agentpeers.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
    @TempDir
    Path tempDir;

    @Test
    void aMissingFolderIsMadeWithMode0700AndPasses() throws IOException {
        Path home = tempDir.resolve("a").resolve(".peers");

        PrivateFiles.requireFolder(home, "PEERS_HOME");

        assertEquals("rwx------", mode(home));
        assertEquals("rwx------", mode(home.getParent()), "a missing parent is private too");
        PrivateFiles.requireFolder(home, "PEERS_HOME"); // and passes the next time
    }

    @Test
    void anExistingFolderOnlyTheOwnerWritesInPasses() throws IOException {
        Path home = Files.createDirectory(tempDir.resolve("p"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));

        PrivateFiles.requireFolder(home, "PEERS_HOME");

        assertEquals("rwxr-xr-x", mode(home), "a folder that passes is left as it is");
    }

    @Test
    void aFolderOthersMayWriteInIsRefusedWithTheChmodThatFixesIt() throws IOException {
        Path home = Files.createDirectory(tempDir.resolve("p"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));

        NotPrivateException refused =
                assertThrows(NotPrivateException.class, () -> PrivateFiles.requireFolder(home, "PEERS_HOME"));

        assertEquals(
                "the peers folder " + home + " lets other users put files and links in it (mode rwxrwxrwx): run"
                        + " `chmod 700 " + home + "`",
                refused.getMessage());
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwx---"));
        assertThrows(NotPrivateException.class, () -> PrivateFiles.checkFolder(home, "PEERS_HOME"), "group too");
    }

    @Test
    void aFolderOfAnotherUserIsRefusedEvenForRoot() throws IOException {
        Path home = Files.createDirectory(tempDir.resolve("p"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        giveToNobody(home);

        NotPrivateException refused =
                assertThrows(NotPrivateException.class, () -> PrivateFiles.requireFolder(home, "PEERS_HOME"));

        assertEquals(
                "the peers folder " + home + " belongs to nobody (uid 65534), not to "
                        + System.getProperty("user.name") + " (uid 0) who runs peers: move it away (peers then makes"
                        + " a new one) or set PEERS_HOME to a folder of your own",
                refused.getMessage());
    }

    @Test
    void aFolderThatIsALinkIsRefusedThoughItPointsAtAPrivateFolder() throws IOException {
        Path real = Files.createDirectory(tempDir.resolve("real"));
        Path home = Files.createSymbolicLink(tempDir.resolve("p"), real);

        NotPrivateException refused =
                assertThrows(NotPrivateException.class, () -> PrivateFiles.requireFolder(home, "PEERS_SOCKET"));

        assertTrue(refused.getMessage().contains("is a symbolic link"), refused.getMessage());
        assertTrue(refused.getMessage().contains("set PEERS_SOCKET to the folder itself"), refused.getMessage());
        Files.delete(home);
        Files.createSymbolicLink(home, tempDir.resolve("nowhere"));
        assertThrows(NotPrivateException.class, () -> PrivateFiles.requireFolder(home, "PEERS_HOME"), "dangling");
    }

    @Test
    void aFileTheFolderCannotBeIsRefused() throws IOException {
        Path home = Files.writeString(tempDir.resolve("p"), "x");

        NotPrivateException refused =
                assertThrows(NotPrivateException.class, () -> PrivateFiles.requireFolder(home, "PEERS_HOME"));

        assertTrue(refused.getMessage().contains("is not a folder"), refused.getMessage());
    }

    @Test
    void aFileMadeHereHasMode0600() throws IOException {
        Path log = tempDir.resolve("broker.log");

        PrivateFiles.createFile(log);
        try (var channel = PrivateFiles.open(
                tempDir.resolve("broker.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            assertTrue(channel.isOpen());
        }

        assertEquals("rw-------", mode(log));
        assertEquals("rw-------", mode(tempDir.resolve("broker.lock")));
    }

    @Test
    void aLinkIsNeverFollowedAndItsTargetIsLeftAlone() throws IOException {
        Path target = Files.writeString(tempDir.resolve("root-owned"), "precious\n");
        Path log = Files.createSymbolicLink(tempDir.resolve("broker.log"), target);

        NotPrivateException refused = assertThrows(
                NotPrivateException.class,
                () -> PrivateFiles.open(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        assertThrows(NotPrivateException.class, () -> PrivateFiles.read(log, StandardCharsets.US_ASCII));

        assertEquals(
                "the peers file " + log + " is a symbolic link, which peers never follows (it could point at any"
                        + " file): remove the link and peers makes a new file",
                refused.getMessage());
        assertEquals("precious\n", Files.readString(target));
        Files.delete(log);
        Path dangling = Files.createSymbolicLink(log, tempDir.resolve("made-through-the-link"));
        assertThrows(NotPrivateException.class, () -> PrivateFiles.createFile(dangling));
        assertTrue(Files.notExists(tempDir.resolve("made-through-the-link")), "nothing was made through the link");
    }

    @Test
    void aFileOfAnotherUserIsRefused() throws IOException {
        Path token = Files.writeString(tempDir.resolve("token"), "planted\n");
        giveToNobody(token);

        NotPrivateException refused =
                assertThrows(NotPrivateException.class, () -> PrivateFiles.read(token, StandardCharsets.US_ASCII));

        assertTrue(refused.getMessage().contains("belongs to nobody (uid 65534)"), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("remove it and peers makes a new one"), refused.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFifoIsRefusedBeforeItsOpenCouldBlock() throws Exception {
        Path fifo = tempDir.resolve("broker.log");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            Assumptions.abort("no mkfifo here: " + e.getMessage());
            return;
        }
        Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed");

        NotPrivateException refused = assertThrows(
                NotPrivateException.class,
                () -> PrivateFiles.open(fifo, StandardOpenOption.CREATE, StandardOpenOption.APPEND));

        assertTrue(refused.getMessage().contains("is not a regular file"), refused.getMessage());
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
