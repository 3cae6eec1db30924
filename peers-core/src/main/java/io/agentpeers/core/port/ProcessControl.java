package io.agentpeers.core.port;

import io.agentpeers.core.ProcessRef;
import java.util.Optional;

/**
 * Looking at and ending local processes. On Linux an implementation reads {@code /proc}; it must
 * never spawn a process per call, because the sweep asks about every peer.
 *
 * <p>Thread-safe; no lifecycle. Failures to read a process mean "not there"; nothing here throws
 * for a process that vanished.
 */
public interface ProcessControl {

    /** What the system says about {@code pid} now, or empty if no such process exists. */
    Optional<ProcessInfo> inspect(long pid);

    /** Whether {@code process} still runs: its pid exists with the same start ticks. */
    default boolean isAlive(ProcessRef process) {
        return inspect(process.pid())
                .map(info -> info.startTicks() == process.startTicks())
                .orElse(false);
    }

    /**
     * Sends SIGTERM to {@code process} if it is still that very process (same start ticks).
     *
     * @return whether a signal was sent
     */
    boolean terminate(ProcessRef process);

    /**
     * The name of the user running {@code pid}, as this machine's user database says it (NSS: files, LDAP,
     * ...), or empty when the process is gone or its uid has no name. Compared across machines, where uids
     * may differ: a kill asked by another broker needs the same user name on both sides.
     */
    default Optional<String> userOf(long pid) {
        return Optional.empty();
    }

    /**
     * One process as the system sees it.
     *
     * @param adoptsOrphans whether it adopts the orphans below it: an init (pid 1, or pid 1 of a pid
     *                      namespace, as in a container) or a service manager such as {@code systemd
     *                      --user}. Such a process is never anyone's agent: an orphan would name it.
     */
    record ProcessInfo(long pid, long parentPid, int uid, long startTicks, boolean adoptsOrphans) {
        /** A process that adopts orphans only if it is pid 1. */
        public ProcessInfo(long pid, long parentPid, int uid, long startTicks) {
            this(pid, parentPid, uid, startTicks, pid == 1);
        }

        /** This process as a reference that survives pid reuse. */
        public ProcessRef ref() {
            return new ProcessRef(pid, uid, startTicks);
        }
    }
}
