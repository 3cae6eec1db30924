package io.agentpeers.process;

import io.agentpeers.core.port.ProcessControl;

class PortableProcessControlContractTest extends AbstractProcessControlContractTest {
    private final ProcessControl processes = new PortableProcessControl();

    @Override
    protected ProcessControl processes() {
        return processes;
    }

    /** The JDK's ProcessHandle takes an unreaped child for alive on Linux (seen with JDK 17.0.15). */
    @Override
    protected boolean seesZombiesAsGone() {
        return !ProcfsProcessControl.isSupported();
    }
}
