package io.agentpeers.transport.unix;

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

/** A broker binds its socket only in a folder no other user can change (PEERS_SOCKET may name any). */
class SocketFolderTest {
    @TempDir
    Path dir;

    @Test
    void aMissingSocketFolderIsMade0700() throws IOException {
        Path socket = dir.resolve("run").resolve("peers.sock");

        try (UnixSocketListener listener = new UnixSocketListener(socket)) {
            listener.bind();
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        }
    }

    @Test
    void aSocketFolderOthersMayWriteInIsRefused() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));

        try (UnixSocketListener listener = new UnixSocketListener(folder.resolve("peers.sock"))) {
            NotPrivateException refused = assertThrows(NotPrivateException.class, listener::bind);
            assertTrue(refused.getMessage().contains("chmod 700 " + folder), refused.getMessage());
        }
        assertTrue(Files.notExists(folder.resolve("peers.sock")));
    }

    @Test
    void aSocketFolderOfAnotherUserIsRefused() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("run"));
        Assumptions.assumeTrue(PrivateFiles.currentUid() == 0, "only root can give a folder to another user");
        Files.setOwner(
                folder, folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        try (UnixSocketListener listener = new UnixSocketListener(folder.resolve("peers.sock"))) {
            NotPrivateException refused = assertThrows(NotPrivateException.class, listener::bind);
            assertTrue(refused.getMessage().contains("set PEERS_SOCKET to a folder of your own"), refused.getMessage());
        }
    }
}
