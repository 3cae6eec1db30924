package io.agentpeers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one /proc/<pid>/stat parser, on lines the kernel writes, and the terminal lookup over a fake /proc. */
class ProcStatTest {
    private static final String SLEEP =
            "22187 (sleep) S 22186 22151 15819 34819 -1 4227084 96 0 0 0 0 0 0 0 20 0 1 0 109846 0 0";

    @TempDir
    Path proc;

    @Test
    void readsStateParentTerminalAndStart() {
        assertEquals(new ProcStat('S', 22186, 34819, 109846), ProcStat.parse(SLEEP));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String line = "4242 (my (odd) name ) Z 1 4242 4242 0 -1 4227084 96 0 0 0 0 0 0 0 20 0 1 0 777 0 0";
        ProcStat stat = ProcStat.parse(line);
        assertEquals(new ProcStat('Z', 1, 0, 777), stat);
        assertTrue(stat.ended());
    }

    @Test
    void readsTheMainThreadsStatWhereThereIsOneElseTheProcesss() throws Exception {
        // The process-wide file sums over every thread (slow for a JVM with thousands); the main
        // thread's holds the same fields.
        Files.createDirectories(proc.resolve("201/task/201"));
        Files.writeString(proc.resolve("201/task/201/stat"), SLEEP);
        Files.writeString(proc.resolve("201/stat"), "201 (other) R 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 9 0 5 0 0");
        assertEquals(
                new ProcStat('S', 22186, 34819, 109846),
                ProcStat.read(proc, 201).orElseThrow());

        Files.createDirectories(proc.resolve("202"));
        Files.writeString(proc.resolve("202/stat"), SLEEP);
        assertEquals(
                new ProcStat('S', 22186, 34819, 109846),
                ProcStat.read(proc, 202).orElseThrow());

        assertTrue(ProcStat.read(proc, 203).isEmpty(), "no such process");
        long self = ProcessHandle.current().pid();
        assertEquals(
                ProcessHandle.current().parent().orElseThrow().pid(),
                ProcStat.read(Path.of("/proc"), self).orElseThrow().parentPid());
    }

    @Test
    void theTerminalIsStdinWhenItIsOneElseTheControllingTerminal() throws Exception {
        Path one = Files.createDirectories(proc.resolve("101/fd"));
        Files.createSymbolicLink(one.resolve("0"), Path.of("/dev/pts/7"));
        Files.writeString(proc.resolve("101/stat"), SLEEP);
        assertEquals("pts/7", ProcessTerminal.of(proc, 101).orElseThrow());

        Path two = Files.createDirectories(proc.resolve("102/fd"));
        Files.createSymbolicLink(two.resolve("0"), Path.of("/dev/null"));
        Files.writeString(proc.resolve("102/stat"), SLEEP); // tty_nr 34819 = 136:3
        assertEquals("pts/3", ProcessTerminal.of(proc, 102).orElseThrow());

        assertTrue(ProcessTerminal.of(proc, 103).isEmpty(), "no such process");
        assertTrue(ProcessTerminal.of(proc, 0).isEmpty());
    }

    @Test
    void ttyNumbersDecode() {
        assertEquals("pts/3", ProcessTerminal.ttyName((136 << 8) | 3).orElseThrow());
        assertEquals("pts/300", ProcessTerminal.ttyName((137 << 8) | 44).orElseThrow());
        assertEquals("tty1", ProcessTerminal.ttyName((4 << 8) | 1).orElseThrow());
        assertEquals("ttyS0", ProcessTerminal.ttyName((4 << 8) | 64).orElseThrow());
        assertTrue(ProcessTerminal.ttyName(0).isEmpty());
    }
}
