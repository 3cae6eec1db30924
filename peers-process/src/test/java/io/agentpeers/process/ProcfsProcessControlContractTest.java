package io.agentpeers.process;

import io.agentpeers.core.port.ProcessControl;
import org.junit.jupiter.api.condition.EnabledIf;

@EnabledIf("io.agentpeers.process.ProcfsProcessControl#isSupported")
class ProcfsProcessControlContractTest extends AbstractProcessControlContractTest {
    private final ProcessControl processes = new ProcfsProcessControl();

    @Override
    protected ProcessControl processes() {
        return processes;
    }

    @Override
    protected boolean seesZombiesAsGone() {
        return true;
    }
}
