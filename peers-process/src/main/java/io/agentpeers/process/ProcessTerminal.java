package io.agentpeers.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The terminal a process runs on, e.g. {@code pts/3}: its stdin when that is a terminal, else its
 * controlling terminal. Read from {@code /proc}; where there is none (macOS) the JDK cannot tell,
 * and the answer is empty.
 */
public final class ProcessTerminal {
    private static final Path PROC = Path.of("/proc");

    private ProcessTerminal() {}

    /** The terminal of {@code pid}, or empty when it has none, is not ours to read, or this system cannot tell. */
    public static Optional<String> of(long pid) {
        return of(PROC, pid);
    }

    static Optional<String> of(Path proc, long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            String link = Files.readSymbolicLink(
                            proc.resolve(Long.toString(pid)).resolve("fd").resolve("0"))
                    .toString();
            if (link.startsWith("/dev/pts/") || link.matches("/dev/tty[0-9A-Za-z]*")) {
                return Optional.of(link.substring("/dev/".length()));
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not ours to read, or no such process: the controlling terminal may still be known
        }
        return ProcStat.read(proc, pid).flatMap(stat -> ttyName(stat.ttyNr()));
    }

    /** Decodes the kernel's tty_nr: major in bits 8 to 19, minor in bits 0 to 7 and 20 to 31. */
    static Optional<String> ttyName(int ttyNr) {
        if (ttyNr == 0) {
            return Optional.empty();
        }
        int major = (ttyNr >> 8) & 0xfff;
        int minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        if (major >= 136 && major <= 143) {
            return Optional.of("pts/" + ((major - 136) * 256 + minor));
        }
        if (major == 4) {
            return Optional.of(minor < 64 ? "tty" + minor : "ttyS" + (minor - 64));
        }
        return Optional.empty();
    }
}
