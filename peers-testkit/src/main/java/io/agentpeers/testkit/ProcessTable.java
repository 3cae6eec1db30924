package io.agentpeers.testkit;

import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.port.ProcessControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A process table held in memory: a real {@link ProcessControl} over processes a test declares,
 * so that tests can start, re-parent and end "processes" without touching the machine's own.
 * Thread-safe.
 */
public final class ProcessTable implements ProcessControl {
    private final Map<Long, ProcessInfo> processes = new ConcurrentHashMap<>();
    private final List<ProcessRef> terminated = new ArrayList<>();

    /** Declares a running process and returns it. */
    public ProcessRef start(long pid, long parentPid, int uid, long startTicks) {
        processes.put(pid, new ProcessInfo(pid, parentPid, uid, startTicks));
        return new ProcessRef(pid, uid, startTicks);
    }

    /** Declares a running process that adopts orphans (an init of a container, {@code systemd --user}). */
    public ProcessRef startAdopter(long pid, long parentPid, int uid, long startTicks) {
        processes.put(pid, new ProcessInfo(pid, parentPid, uid, startTicks, true));
        return new ProcessRef(pid, uid, startTicks);
    }

    /** The process with this pid ends. */
    public void exit(long pid) {
        processes.remove(pid);
    }

    /** The process gets a new parent (its old one died and something adopted it). */
    public void reparent(long pid, long newParentPid) {
        processes.computeIfPresent(
                pid,
                (p, info) -> new ProcessInfo(pid, newParentPid, info.uid(), info.startTicks(), info.adoptsOrphans()));
    }

    /** Processes this table was asked to terminate and did, in order. */
    public synchronized List<ProcessRef> terminated() {
        return List.copyOf(terminated);
    }

    @Override
    public Optional<ProcessInfo> inspect(long pid) {
        return Optional.ofNullable(processes.get(pid));
    }

    @Override
    public synchronized boolean terminate(ProcessRef process) {
        if (!isAlive(process)) {
            return false;
        }
        processes.remove(process.pid());
        terminated.add(process);
        return true;
    }
}
