package io.agentpeers.local;

import io.agentpeers.process.ProcessControls;

/**
 * Whether a process has ended, a zombie included: a detached broker's parent is gone, and the process that
 * adopts it (a container's pid 1) may reap it only seconds later, while the JDK still calls it alive.
 */
public final class ProcessEnd {
    private ProcessEnd() {}

    public static boolean ended(long pid) {
        return ProcessControls.forThisMachine().inspect(pid).isEmpty();
    }
}
