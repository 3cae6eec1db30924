package io.agentpeers.cli;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Replaces a file whole: a reader sees the old text or the new, never half of either. */
final class FileReplace {
    private FileReplace() {}

    /**
     * Writes {@code text} to a temporary file beside {@code file} and moves it over {@code file}.
     *
     * @param mode the new file's permissions from its creation on, or null for the default
     */
    static void replace(Path file, String text, Charset charset, Set<PosixFilePermission> mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = "." + file.getFileName();
        Path temp = mode == null
                ? Files.createTempFile(dir, prefix, ".tmp")
                : Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(mode));
        try {
            Files.writeString(temp, text, charset);
            if (mode != null) {
                Files.setPosixFilePermissions(temp, mode); // exactly, whatever the umask took away
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
