package io.agentpeers.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * One planned change to one configuration file: the text before (null when the file does not exist)
 * and after. {@link #apply()} keeps a backup of a file it changes and replaces it atomically.
 */
record ConfigEdit(Path file, String before, String after, String summary) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    boolean changes() {
        return after != null && !after.equals(before);
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new CliFailure("cannot read " + file + ": " + e.getMessage() + "; check its permissions");
        }
    }

    /**
     * Writes the new text; returns the backup of the old file, or null when there was none. A symbolic link
     * (a dotfiles repository's {@code ~/.claude.json}) stays a link: its target is replaced, and the backup, a
     * copy of the old text, lies beside the link, where the person looks.
     */
    Path apply() {
        try {
            Path target = linkTarget(file);
            Files.createDirectories(target.getParent());
            Path backup = null;
            Set<PosixFilePermission> mode = null;
            if (before != null) {
                backup = backupPath();
                Files.copy(target, backup, StandardCopyOption.COPY_ATTRIBUTES);
                mode = Files.getPosixFilePermissions(target);
            }
            FileReplace.replace(target, after, StandardCharsets.UTF_8, mode);
            return backup;
        } catch (IOException e) {
            throw new CliFailure("cannot write " + file + ": " + e.getMessage() + "; check the folder's permissions");
        }
    }

    /** The file a chain of links ends at (perhaps not there yet), or {@code path} itself when it is no link. */
    static Path linkTarget(Path path) throws IOException {
        Path current = path.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(current); hops++) {
            if (hops == 40) {
                throw new IOException("too many levels of symbolic links");
            }
            current = current.resolveSibling(Files.readSymbolicLink(current));
        }
        return current;
    }

    private Path backupPath() {
        String base =
                file.getFileName() + ".peers-backup-" + LocalDateTime.now().format(STAMP);
        Path candidate = file.resolveSibling(base);
        for (int i = 1; Files.exists(candidate); i++) {
            candidate = file.resolveSibling(base + "-" + i);
        }
        return candidate;
    }

    /** A unified-diff-like view of the change, for {@code --dry-run}. */
    String preview() {
        StringBuilder text = new StringBuilder();
        text.append(before == null ? "new file " : "change ").append(file).append('\n');
        String[] old = before == null ? new String[0] : before.split("\n", -1);
        String[] fresh = after.split("\n", -1);
        int head = 0;
        while (head < old.length && head < fresh.length && old[head].equals(fresh[head])) {
            head++;
        }
        int tail = 0;
        while (tail < old.length - head
                && tail < fresh.length - head
                && old[old.length - 1 - tail].equals(fresh[fresh.length - 1 - tail])) {
            tail++;
        }
        if (head > 0) {
            text.append("  @@ after line ").append(head).append('\n');
        }
        for (int i = head; i < old.length - tail; i++) {
            text.append("- ").append(old[i]).append('\n');
        }
        for (int i = head; i < fresh.length - tail; i++) {
            text.append("+ ").append(fresh[i]).append('\n');
        }
        return text.toString();
    }
}
