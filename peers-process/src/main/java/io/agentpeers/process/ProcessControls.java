package io.agentpeers.process;

import io.agentpeers.core.port.ProcessControl;

/** Picks the {@link ProcessControl} for the machine this JVM runs on. */
public final class ProcessControls {
    private ProcessControls() {
    }

    /** {@code /proc} where the system has one (Linux). */
    public static ProcessControl forThisMachine() {
        return new ProcfsProcessControl();
    }
}
