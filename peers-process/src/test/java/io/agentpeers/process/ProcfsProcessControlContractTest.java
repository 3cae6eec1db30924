package io.agentpeers.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.core.port.ProcessControl;
import io.agentpeers.core.port.ProcessControl.ProcessInfo;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
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

    @Test
    void theInitOfAPidNamespaceAdoptsOrphans() throws Exception {
        Process unshare;
        try {
            // util-linux: the sleep is pid 1 of a new pid namespace, as a container's init is.
            unshare = new ProcessBuilder("unshare", "--fork", "--pid", "--kill-child", "sleep", "30")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            assumeTrue(false, "no unshare here: " + e.getMessage());
            return;
        }
        try {
            Optional<ProcessHandle> init = Optional.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (init.isEmpty() && unshare.isAlive() && System.nanoTime() < deadline) {
                init = unshare.toHandle().children().findFirst();
                Thread.sleep(10);
            }
            assumeTrue(init.isPresent(), "unshare may not make a pid namespace here (needs root or user namespaces)");
            ProcessInfo info = processes.inspect(init.get().pid()).orElseThrow();
            assertTrue(info.adoptsOrphans(), "pid 1 of its namespace: " + info);
            assertFalse(processes.inspect(unshare.pid()).orElseThrow().adoptsOrphans(), "unshare itself does not");
        } finally {
            unshare.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            unshare.destroyForcibly();
            unshare.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
