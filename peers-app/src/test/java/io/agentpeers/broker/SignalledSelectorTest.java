package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal that interrupts a selector loop's wait (a profiler's SIGPROF does; here SIGUSR2, which the
 * JVM handles and otherwise ignores, sent to each loop's thread alone) is a wait that returned early, not a
 * dead loop: junixsocket throws {@code SocketException: Interrupted system call} from its poll, and
 * before the broker took that as fatal and stopped.
 */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
@Timeout(120)
class SignalledSelectorTest {
    private static final int SIGNALS_PER_LOOP = 20;
    private static final int SIGUSR2 = 12;
    private static final int TGKILL = tgkillNumber();

    @TempDir
    Path dir;

    @Test
    void signalsToTheSelectorThreadsLeaveTheBrokerServing() throws Exception {
        Path home = dir.resolve("home");
        try (ChildBroker broker = ChildBroker.start(home, Map.of())) {
            long pid = broker.process().pid();
            // The socket answers before the loops' threads start; the server logs once they did.
            for (int i = 0; i < 100 && !broker.stderr().contains("selector thread(s))"); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(200); // a thread takes its name as it begins to run
            List<String> loops = threadsNamed(pid, "peers-unix-loop");
            assumeFalse(loops.isEmpty(), "no thread of the broker is named peers-unix-loop in /proc (not Linux?)");
            // The cold selector of idle connections waits in the same poll.
            List<String> cold = threadsNamed(pid, "peers-unix-cold");
            assertEquals(1, cold.size(), "one cold selector thread for the Unix listener");
            loops.addAll(cold);
            assumeTrue(TGKILL > 0, "tgkill's number on " + System.getProperty("os.arch") + " is not known here");
            assumeTrue(onPath("perl"), "no perl on PATH to send a signal to one thread");
            for (int i = 0; i < SIGNALS_PER_LOOP; i++) {
                for (String tid : loops) {
                    assertTrue(
                            broker.process().isAlive(), "the broker is up after " + i + " rounds\n" + broker.stderr());
                    if (!signal(pid, tid)) {
                        Thread.sleep(500);
                        throw new AssertionError("thread " + tid + " is gone, the broker "
                                + (broker.process().isAlive() ? "up" : "not") + "\n" + broker.stderr());
                    }
                }
                Thread.sleep(5); // each signal meets a loop that is waiting again
            }
            try (PeersClient client = PeersClient.connect(
                    new UnixSocketConnector(home.resolve("peers.sock")),
                    ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(10)))) {
                client.register(RegisterRequest.of("/w", ClientType.GENERIC));
                client.ping();
            }
            assertTrue(broker.process().isAlive(), "the broker is up\n" + broker.stderr());
            assertFalse(broker.stderr().contains("event=fatal"), broker.stderr());
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The ids of the process's threads whose name (as the kernel keeps it, 15 bytes) starts with {@code prefix}. */
    private static List<String> threadsNamed(long pid, String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        Path taskFolder = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(taskFolder)) {
            return out;
        }
        try (Stream<Path> tasks = Files.list(taskFolder)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).startsWith(prefix)) {
                        out.add(task.getFileName().toString());
                    }
                } catch (IOException endedMeanwhile) {
                    // not a loop's thread: those live as long as the broker
                }
            }
        }
        return out;
    }

    /**
     * Sends SIGUSR2 to the one thread {@code tid} of process {@code pid} with {@code tgkill} (through perl,
     * which every Debian has): {@code kill <tid>} is process-directed, and the kernel may hand it to a
     * thread the JVM does not know, whose signal handler then crashes the JVM (SIGSEGV in
     * {@code SR_handler}). Whether the thread was there to be signalled.
     */
    private static boolean signal(long pid, String tid) throws IOException, InterruptedException {
        Process perl = new ProcessBuilder(
                        "perl",
                        "-e",
                        "exit(syscall(" + TGKILL + ", $ARGV[0] + 0, $ARGV[1] + 0, " + SIGUSR2 + ") == 0 ? 0 : 1)",
                        Long.toString(pid),
                        tid)
                .redirectErrorStream(true)
                .start();
        try {
            assertTrue(perl.waitFor(10, TimeUnit.SECONDS), "perl ended");
            return perl.exitValue() == 0;
        } finally {
            perl.destroyForcibly();
        }
    }

    /** tgkill's system call number, or -1 where this test does not know it. */
    private static int tgkillNumber() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 234;
            case "aarch64" -> 131;
            default -> -1;
        };
    }
}
