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
            Status status = Status.read(proc.resolve(Long.toString(pid)));
            boolean adopts = pid == 1 || status.initOfItsNamespace() || "systemd".equals(status.name());
            return Optional.of(new ProcessInfo(
                    pid, stat.get().parentPid(), status.uid(), stat.get().startTicks(), adopts));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * What {@code /proc/PID/status} says that {@code stat} does not: the effective uid, the name, and
     * whether the process is pid 1 of its own pid namespace (the last {@code NSpid} field is 1).
     */
    private record Status(int uid, String name, boolean initOfItsNamespace) {
        static Status read(Path dir) throws IOException {
            Integer uid = null;
            String name = "";
            boolean init = false;
            for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                } else if (line.startsWith("Name:")) {
                    name = line.substring(5).trim();
                } else if (line.startsWith("NSpid:")) {
                    String[] pids = line.substring(6).trim().split("\\s+");
                    init = pids.length > 1 && pids[pids.length - 1].equals("1");
                }
            }
            if (uid == null) {
                throw new IOException("no Uid line in " + dir.resolve("status"));
            }
            return new Status(uid, name, init);
        }
    }

    /** The JDK resolves the uid through the system's user database (getpwuid): LDAP users included. */
    @Override
    public Optional<String> userOf(long pid) {
        return pid <= 0
                ? Optional.empty()
                : ProcessHandle.of(pid).flatMap(handle -> handle.info().user());
    }

    @Override
    public boolean terminate(ProcessRef process) {
        return isAlive(process) && Signals.terminate(process.pid());
    }
}
