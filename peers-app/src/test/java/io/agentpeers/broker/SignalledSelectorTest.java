package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

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
 * JVM handles and otherwise ignores, sent to each loop's thread) is a wait that returned early, not a
 * dead loop: junixsocket throws {@code SocketException: Interrupted system call} from its poll, and
 * before the broker took that as fatal and stopped.
 */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
@Timeout(120)
class SignalledSelectorTest {
    private static final int SIGNALS_PER_LOOP = 20;

    @TempDir
    Path dir;

    @Test
    void signalsToTheSelectorThreadsLeaveTheBrokerServing() throws Exception {
        Path home = dir.resolve("home");
        try (ChildBroker broker = ChildBroker.start(home, Map.of())) {
            long pid = broker.process().pid();
            List<String> loops = threadsNamed(pid, "peers-unix-loop");
            assumeFalse(loops.isEmpty(), "no thread of the broker is named peers-unix-loop in /proc (not Linux?)");
            for (int i = 0; i < SIGNALS_PER_LOOP; i++) {
                for (String tid : loops) {
                    signal(tid);
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

    /** {@code kill -USR2 <tid>}: a signal sent to a thread's id goes to that thread when it does not block it. */
    private static void signal(String tid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-USR2", tid)
                .redirectErrorStream(true)
                .start();
        try {
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill ended");
            assertEquals(0, kill.exitValue(), new String(kill.getInputStream().readAllBytes()));
        } finally {
            kill.destroyForcibly();
        }
    }
}
