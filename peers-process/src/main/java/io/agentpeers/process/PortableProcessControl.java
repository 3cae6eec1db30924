package io.agentpeers.process;

import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.port.ProcessControl;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ProcessControl} on the JDK's {@link ProcessHandle}, for systems without {@code /proc}
 * (macOS, the BSDs). The JDK asks the kernel directly (sysctl on macOS), so no child process is
 * spawned per call either.
 *
 * <p>Start "ticks" are the start instant in epoch milliseconds: stable for a process's life, so a
 * reused pid is never taken for the old process. They are not comparable with {@link
 * ProcfsProcessControl}'s ticks since boot; a broker switched between the two cannot resume peers
 * recorded by the other automatically (they resume by secret).
 *
 * <p>The JDK tells a process's user by name only. A process of this JVM's user reports this JVM's
 * uid; any other user's reports {@link #UNKNOWN_UID}, which equals no connection's uid, so such a
 * process is never verified as a caller's agent. Known difference: on Linux the JDK takes a zombie
 * (ended, not yet reaped) for alive, where {@code /proc} says gone; this class is chosen on Linux
 * only when forced.
 */
public final class PortableProcessControl implements ProcessControl {
    /** The uid reported for processes of users other than this JVM's. */
    public static final int UNKNOWN_UID = -1;

    private final String ownUser;
    private final int ownUid;

    public PortableProcessControl() {
        this(ProcessHandle.current().info().user().orElse(null), CurrentUser.uid());
    }

    PortableProcessControl(String ownUser, int ownUid) {
        this.ownUser = ownUser;
        this.ownUid = ownUid;
    }

    @Override
    public Optional<ProcessInfo> inspect(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return Optional.empty();
        }
        ProcessHandle.Info info = handle.get().info();
        Optional<Instant> start = info.startInstant();
        if (start.isEmpty()) {
            return Optional.empty(); // without a start time a reused pid could pass for this process
        }
        long parent = handle.get().parent().map(ProcessHandle::pid).orElse(0L);
        int uid = info.user()
                .filter(user -> Objects.equals(user, ownUser))
                .map(user -> ownUid)
                .orElse(UNKNOWN_UID);
        boolean adopts = pid == 1
                || info.command().map(command -> command.endsWith("/systemd")).orElse(false);
        return Optional.of(new ProcessInfo(pid, parent, uid, start.get().toEpochMilli(), adopts));
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
