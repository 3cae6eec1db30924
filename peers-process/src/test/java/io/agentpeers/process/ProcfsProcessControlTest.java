package io.agentpeers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.port.ProcessControl.ProcessInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcfsProcessControlTest {
    private final ProcfsProcessControl processes = new ProcfsProcessControl();

    @Test
    void inspectsItsOwnProcess() throws Exception {
        long self = ProcessHandle.current().pid();
        ProcessInfo info = processes.inspect(self).orElseThrow();
        assertEquals(self, info.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), info.parentPid());
        assertEquals(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue(), info.uid());
        assertTrue(info.startTicks() > 0);
        assertTrue(processes.isAlive(info.ref()));
        assertFalse(processes.isAlive(new ProcessRef(self, info.uid(), info.startTicks() + 1)),
                "another start time is another process");
    }

    @Test
    void aMissingProcessIsNotThere() {
        assertTrue(processes.inspect(Integer.MAX_VALUE).isEmpty());
        assertTrue(processes.inspect(-1).isEmpty());
    }

    @Test
    void terminatesAChildAndOnlyTheSameProcess() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            ProcessInfo info = processes.inspect(child.pid()).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), info.parentPid());
            assertFalse(processes.terminate(new ProcessRef(child.pid(), info.uid(), info.startTicks() + 7)),
                    "a reused pid is never signalled");
            assertTrue(child.isAlive());
            assertTrue(processes.terminate(info.ref()));
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(143, child.exitValue(), "SIGTERM");
            assertFalse(processes.isAlive(info.ref()));
        } finally {
            child.destroyForcibly();
        }
    }
}
