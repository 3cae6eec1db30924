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
 * processes (the seed's broker spawned {@code ps} once per peer and stalled for seconds). Start
 * times are clock ticks since boot; a process that ended but is not reaped yet (a zombie) is gone.
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
        Optional<ProcStat> stat = ProcStat.read(proc, pid);
        if (stat.isEmpty() || stat.get().ended()) {
            return Optional.empty(); // never was, ended while we looked, or a zombie: only its exit status remains
        }
        try {
            int uid = effectiveUid(proc.resolve(Long.toString(pid)));
            return Optional.of(
                    new ProcessInfo(pid, stat.get().parentPid(), uid, stat.get().startTicks()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
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
        return isAlive(process) && Signals.terminate(process.pid());
    }
}
