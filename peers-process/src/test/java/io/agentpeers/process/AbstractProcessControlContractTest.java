package io.agentpeers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.port.ProcessControl;
import io.agentpeers.core.port.ProcessControl.ProcessInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the broker needs from a {@link ProcessControl}, checked on real child processes: liveness,
 * a start time that stays put (so a reused pid is never taken for the old process), the parent,
 * the uid, and SIGTERM to that very process only. Every implementation runs it.
 */
@Timeout(60)
abstract class AbstractProcessControlContractTest {
    private final List<Process> children = new ArrayList<>();

    /** The implementation under test. */
    protected abstract ProcessControl processes();

    /** Whether it reports an ended but unreaped child (a zombie) as gone. */
    protected abstract boolean seesZombiesAsGone();

    @AfterEach
    void endChildren() {
        for (Process child : children) {
            child.destroyForcibly();
        }
    }

    @Test
    void inspectsItsOwnProcess() throws Exception {
        long self = ProcessHandle.current().pid();
        ProcessInfo info = processes().inspect(self).orElseThrow();
        assertEquals(self, info.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), info.parentPid());
        assertEquals(uidOfAFileWeCreate(), info.uid());
        assertTrue(processes().isAlive(info.ref()));
        assertFalse(
                processes().isAlive(new ProcessRef(self, info.uid(), info.startTicks() + 1)),
                "another start time is another process");
        assertFalse(processes().terminate(info.ref()), "never signals itself");
    }

    @Test
    void aChildIsAliveWithAStableStartTimeAndItsParent() throws Exception {
        Process child = start("sleep", "30");
        ProcessInfo first = processes().inspect(child.pid()).orElseThrow();
        assertEquals(child.pid(), first.pid());
        assertEquals(ProcessHandle.current().pid(), first.parentPid());
        assertEquals(uidOfAFileWeCreate(), first.uid());
        assertFalse(first.adoptsOrphans(), "an ordinary process adopts no orphans");
        Thread.sleep(50);
        ProcessInfo again = processes().inspect(child.pid()).orElseThrow();
        assertEquals(first, again, "the same process looks the same on every look");
        assertTrue(processes().isAlive(first.ref()));
        long selfStart =
                processes().inspect(ProcessHandle.current().pid()).orElseThrow().startTicks();
        assertTrue(
                first.startTicks() >= selfStart,
                "the child started after us: " + first.startTicks() + " < " + selfStart);
    }

    @Test
    void terminatesAChildAndOnlyTheSameProcess() throws Exception {
        Process child = start("sleep", "30");
        ProcessInfo info = processes().inspect(child.pid()).orElseThrow();
        assertFalse(
                processes().terminate(new ProcessRef(child.pid(), info.uid(), info.startTicks() + 7)),
                "a reused pid is never signalled");
        assertTrue(child.isAlive());
        assertTrue(processes().terminate(info.ref()));
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(143, child.exitValue(), "SIGTERM");
        assertFalse(processes().isAlive(info.ref()));
        assertTrue(processes().inspect(child.pid()).isEmpty());
        assertFalse(processes().terminate(info.ref()), "nothing to signal any more");
    }

    @Test
    void aChildThatExitedIsDead() throws Exception {
        Process child = start("sleep", "30");
        ProcessRef ref = processes().inspect(child.pid()).orElseThrow().ref();
        child.destroyForcibly();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertTrue(processes().inspect(child.pid()).isEmpty());
        assertFalse(processes().isAlive(ref));
    }

    @Test
    void aZombieIsDead() throws Exception {
        assumeTrue(seesZombiesAsGone(), "this implementation cannot tell a zombie from a live process here");
        // sh starts a short child, then becomes a sleep that never reaps it: the child stays a zombie.
        Process parent = start("sh", "-c", "sleep 0 & echo $!; exec sleep 30");
        long zombie;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            zombie = Long.parseLong(out.readLine().strip());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (processes().inspect(zombie).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(processes().inspect(zombie).isEmpty(), "an ended child is gone, reaped or not");
        assertTrue(ProcessHandle.of(zombie).isPresent(), "and it is still in the process table, unreaped");
    }

    @Test
    void noProcessAtImpossiblePids() {
        for (long pid : new long[] {0, -1, Long.MIN_VALUE, Integer.MAX_VALUE}) {
            assertEquals(Optional.empty(), processes().inspect(pid), "pid " + pid);
        }
        // A ProcessRef holds positive pids only; above any pid_max no process runs.
        ProcessRef beyond = new ProcessRef(Integer.MAX_VALUE, 0, 1);
        assertFalse(processes().isAlive(beyond));
        assertFalse(processes().terminate(beyond));
    }

    private Process start(String... command) throws Exception {
        Process child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        children.add(child);
        return child;
    }

    private static int uidOfAFileWeCreate() throws Exception {
        Path file = Files.createTempFile("peers-contract", ".uid");
        try {
            return ((Number) Files.getAttribute(file, "unix:uid")).intValue();
        } finally {
            Files.delete(file);
        }
    }
}
