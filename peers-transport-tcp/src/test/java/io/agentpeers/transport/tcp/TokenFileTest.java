package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
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
}
