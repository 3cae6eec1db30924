package io.agentpeers.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.PeersPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the starter tells the person: why a broker failed at start (its one sentence, not only the log), what
 * a slow start waits for, and, for a broker nobody asked for by name, that it stops when idle. A "broker"
 * here is a shell that prints, leaves its environment in a file and exits.
 */
@Timeout(30)
class BrokerStarterFeedbackTest {
    @TempDir
    Path dir;

    private final List<String> notices = new CopyOnWriteArrayList<>();

    private BrokerStarter starter(Path home, String script) {
        return new BrokerStarter(PeersPaths.under(home), List.of("/bin/sh", "-c", script), Map.of())
                .withNotices(notices::add);
    }

    @Test
    void theBrokersOwnSentenceIsTheFailureNotOnlyTheLog() throws IOException {
        Path home = dir.resolve("p");
        Files.createDirectories(home);
        Files.writeString(home.resolve("broker.log"), "peers: an older failure\n");
        BrokerStartFailedException failed = assertThrows(
                BrokerStartFailedException.class,
                () -> starter(
                                home,
                                "echo 'INFO a log line'; echo 'peers: PEERS_RATE must look like 600/200' >&2;"
                                        + " exit 1")
                        .ensureRunning(Duration.ofSeconds(10)));

        assertEquals(
                "PEERS_RATE must look like 600/200 (log: " + home.resolve("broker.log") + ")", failed.getMessage());
    }

    @Test
    void theLastSentenceOnStdoutCountsTooAndWithoutOneTheExitCodeIsNamed() {
        Path home = dir.resolve("p");
        BrokerStartFailedException failed = assertThrows(
                BrokerStartFailedException.class,
                () -> starter(home, "echo 'peers: the database is locked'; exit 7")
                        .ensureRunning(Duration.ofSeconds(10)));
        assertEquals("the database is locked (log: " + home.resolve("broker.log") + ")", failed.getMessage());

        BrokerStartFailedException silent = assertThrows(
                BrokerStartFailedException.class, () -> starter(home, "exit 7").ensureRunning(Duration.ofSeconds(10)));
        assertTrue(silent.getMessage().startsWith("the broker exited with code 7 at start"), silent.getMessage());
    }

    @Test
    void aStartThatTakesMoreThanASecondSaysWhatItWaitsFor() {
        Path home = dir.resolve("p");
        assertThrows(
                BrokerStartFailedException.class,
                () -> starter(home, "sleep 2; exit 3").ensureRunning(Duration.ofSeconds(10)));
        assertEquals(1, notices.size(), notices::toString);
        assertTrue(
                notices.get(0)
                        .matches("waiting for the new broker \\(pid \\d+\\) to answer on "
                                + java.util.regex.Pattern.quote(
                                        home.resolve("peers.sock").toString()) + "; its log: .*"),
                notices::toString);
    }

    @Test
    void anAutoStartedBrokerIsToldToStopWhenIdleAndOneStartedByHandIsNot() throws IOException {
        Path home = dir.resolve("p");
        Path dump = dir.resolve("env");
        String script = "env > '" + dump + "'; exit 3";

        assertThrows(
                BrokerStartFailedException.class, () -> starter(home, script).ensureRunning(Duration.ofSeconds(10)));
        assertFalse(Files.readString(dump).contains("PEERS_IDLE_TIMEOUT="), "by hand: never idle");

        assertThrows(
                BrokerStartFailedException.class,
                () -> starter(home, script).autoStarting(Duration.ofMinutes(10)).ensureRunning(Duration.ofSeconds(10)));
        assertTrue(Files.readString(dump).contains("PEERS_IDLE_TIMEOUT=600\n"), Files.readString(dump));
    }

    @Test
    void aZombieHasEnded() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc")), "zombies are looked at in /proc");
        // The background child's parent execs a sleep that never waits for it: a zombie for 10 s.
        Process parent = new ProcessBuilder("/bin/sh", "-c", "sleep 0 & echo $!; exec sleep 10").start();
        try {
            long child = Long.parseLong(
                    new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))
                            .readLine()
                            .strip());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!zombie(child) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(zombie(child), "the child became a zombie");
            assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the JDK calls it alive");
            assertTrue(ProcessEnd.ended(child), "but it has ended");
            assertFalse(ProcessEnd.ended(parent.pid()), "a sleeping process has not");
        } finally {
            parent.destroyForcibly();
        }
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }
}
