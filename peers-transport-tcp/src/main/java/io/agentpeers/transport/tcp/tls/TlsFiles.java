package io.agentpeers.transport.tcp.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes the authority's and the bundles' files whole (a temporary file, then a rename) with their modes. */
final class TlsFiles {
    private TlsFiles() {}

    /**
     * Writes {@code text} to {@code file}: mode 0600 for a key, 0644 for a certificate (public, but in a 0700
     * folder). Replaces a file there only when {@code replace}.
     */
    static void write(Path file, String text, boolean secret, boolean replace) throws IOException {
        Path temp = Files.createTempFile(
                file.toAbsolutePath().getParent(),
                ".tls",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            if (!secret) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            if (replace) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString());
            } else {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
