package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.NotPrivateException;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    @TempDir
    Path tempDir;

    @Test
    void theFirstStartWritesA256BitTokenReadableByTheOwnerOnly() throws IOException {
        Path path = tempDir.resolve("home").resolve("token");

        String token = new TokenFile(path).readOrCreate();

        assertTrue(token.matches("[0-9a-f]{64}"), token);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())));
        try (var files = Files.list(path.getParent())) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void laterStartsAndClientsReadTheSameToken() {
        Path path = tempDir.resolve("token");
        String first = new TokenFile(path).readOrCreate();

        assertEquals(first, new TokenFile(path).readOrCreate());
        assertEquals(first, new TokenFile(path).read());
        assertNotEquals(first, new TokenFile(tempDir.resolve("other")).readOrCreate(), "each home gets its own secret");
    }

    @Test
    void tokensCompareExactly() {
        String token = new TokenFile(tempDir.resolve("token")).readOrCreate();

        assertTrue(TokenFile.matches(token, new String(token)));
        assertFalse(TokenFile.matches(token, token.substring(1)));
        assertFalse(TokenFile.matches(token, token.toUpperCase()));
        assertFalse(TokenFile.matches(token, ""));
        assertFalse(TokenFile.matches(token, null));
    }

    @Test
    void aClientWithoutATokenFileIsToldToStartTheBrokerWithTcp() {
        TransportException e =
                assertThrows(TransportException.class, () -> new TokenFile(tempDir.resolve("none")).read());
        assertTrue(e.getMessage().contains("no token file"), e.getMessage());
    }

    @Test
    void aLinkedTokenIsNeitherReadNorWrittenThrough() throws IOException {
        Path target = Files.writeString(tempDir.resolve("root-owned"), "precious\n");
        Path path = Files.createSymbolicLink(tempDir.resolve("token"), target);

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> new TokenFile(path).readOrCreate());
        assertThrows(NotPrivateException.class, () -> new TokenFile(path).read(), "nor trusted by a client");

        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        assertEquals("precious\n", Files.readString(target));
    }

    @Test
    void aTokenPlantedByAnotherUserIsRefused() throws IOException {
        Path path = Files.writeString(tempDir.resolve("token"), "0".repeat(64) + "\n");
        Assumptions.assumeTrue(PrivateFiles.currentUid() == 0, "only root can give a file to another user");
        Files.setOwner(
                path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        NotPrivateException refused = assertThrows(NotPrivateException.class, () -> new TokenFile(path).readOrCreate());

        assertTrue(refused.getMessage().contains("belongs to nobody"), refused.getMessage());
    }

    @Test
    void aTokenInAFolderOthersMayWriteInIsRefused() throws IOException {
        Path home = Files.createDirectory(tempDir.resolve("p"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));

        NotPrivateException refused =
                assertThrows(NotPrivateException.class, () -> new TokenFile(home.resolve("token")).readOrCreate());

        assertTrue(refused.getMessage().contains("chmod 700 " + home), refused.getMessage());
        assertTrue(Files.notExists(home.resolve("token")));
    }

    @Test
    @Timeout(60)
    void brokersThatStartTogetherAgreeOnOneToken() throws Exception {
        int brokers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(brokers);
        try {
            for (int round = 0; round < 40; round++) {
                Path path = tempDir.resolve("round" + round).resolve("token");
                CyclicBarrier together = new CyclicBarrier(brokers);
                List<Future<String>> tokens = new ArrayList<>();
                for (int i = 0; i < brokers; i++) {
                    tokens.add(pool.submit(() -> {
                        together.await();
                        return new TokenFile(path).readOrCreate();
                    }));
                }
                String inFile = null;
                for (Future<String> token : tokens) {
                    String got = token.get();
                    inFile = inFile == null ? new TokenFile(path).read() : inFile;
                    assertEquals(inFile, got, "round " + round + ": every broker serves the token in the file");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
