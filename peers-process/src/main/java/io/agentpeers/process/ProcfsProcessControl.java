package io.agentpeers.process;

import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.port.ProcessControl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@link ProcessControl} on Linux's {@code /proc}: two small file reads per process, no child
 * processes (the seed's broker spawned {@code ps} once per peer and stalled for seconds).
 */
public final class ProcfsProcessControl implements ProcessControl {
    private final Path proc;

    public ProcfsProcessControl() {
        this(Path.of("/proc"));
    }

    ProcfsProcessControl(Path proc) {
        this.proc = proc;
    }

    /** Whether this system has a {@code /proc} to read. */
    public static boolean isSupported() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    @Override
    public Optional<ProcessInfo> inspect(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            Path dir = proc.resolve(Long.toString(pid));
            String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long parent = Long.parseLong(fields[1]);
            long startTicks = Long.parseLong(fields[19]);
            if ("Z".equals(fields[0])) {
                return Optional.empty(); // a zombie has ended; only its exit status remains
            }
            return Optional.of(new ProcessInfo(pid, parent, effectiveUid(dir), startTicks));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // it ended while we looked, or never was
        }
    }

    private static int effectiveUid(Path dir) throws IOException {
        for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new IOException("no Uid line in " + dir.resolve("status"));
    }

    @Override
    public boolean terminate(ProcessRef process) {
        if (!isAlive(process)) {
            return false;
        }
        return ProcessHandle.of(process.pid()).map(ProcessHandle::destroy).orElse(false);
    }
}
