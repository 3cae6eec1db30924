package io.agentpeers.transport.tcp.tls;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the authority's and the bundles' files whole (a temporary file, then a rename) with their modes, under
 * a lock on their folder so that two {@code peers tls} commands at once never mix one's key with the other's
 * certificate.
 */
final class TlsFiles {
    static final String LOCK_FILE = ".lock";

    private TlsFiles() {}

    /** A step that writes files and may fail. */
    interface Writing<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code writing} (its check that nothing is there, then its writes) while holding {@code folder}'s lock:
     * in this JVM (a file lock belongs to the process) and against other processes.
     */
    static <T> T locked(Path folder, Writing<T> writing) throws IOException {
        synchronized (TlsFiles.class) {
            try (FileChannel channel = FileChannel.open(
                            folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return writing.run();
            }
        }
    }

    /**
     * Writes {@code text} to {@code file}, replacing what is there: mode 0600 for a key, 0644 for a certificate
     * (public, but in a 0700 folder).
     */
    static void write(Path file, String text, boolean secret) throws IOException {
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
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
