package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.BrokerProcesses;
import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.local.BrokerStarter;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One broker per home, a crash's stale socket, clean stops on SIGTERM and on request, and concurrent starters. */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
class BrokerLifecycleTest {
    private static final Map<String, String> ENV = Map.of();
    private static final ClientOptions OPTIONS =
            ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(10)).withReconnect(false);

    @TempDir
    Path dir;

    private Path home() {
        return dir.resolve("home");
    }

    private PeersClient connect() {
        return PeersClient.connect(new UnixSocketConnector(home().resolve("peers.sock")), OPTIONS);
    }

    @Test
    void aSecondBrokerOnTheSameHomeExitsWithOneAndSaysWhy() throws Exception {
        try (ChildBroker first = ChildBroker.start(home(), ENV);
                ChildBroker second = ChildBroker.launch(home(), ENV)) {
            assertEquals(1, second.awaitExit(30), "the second broker exits with 1: " + second.stderr());
            String stderr = second.stderr();
            assertTrue(stderr.contains("another broker is running for this home"), stderr);
            assertTrue(stderr.contains("pid " + first.pid()), "names the running broker: " + stderr);
            assertTrue(first.process().isAlive(), "the first broker goes on");
            try (PeersClient client = connect()) {
                assertEquals(first.pid(), client.stats().pid(), "the socket is still the first broker's");
            }
        }
    }

    @Test
    void aStaleSocketFileLeftByAKilledBrokerIsRemovedAtTheNextStart() throws Exception {
        Path socket = home().resolve("peers.sock");
        try (ChildBroker killed = ChildBroker.start(home(), ENV)) {
            killed.kill9();
        }
        assertTrue(Files.exists(socket), "SIGKILL leaves the socket file behind");
        assertEquals(SocketFileState.STALE, SocketFiles.probe(socket));
        try (ChildBroker next = ChildBroker.start(home(), ENV);
                PeersClient client = connect()) {
            assertEquals(next.pid(), client.stats().pid());
            assertTrue(next.stderr().contains("removed the stale socket file"), next.stderr());
        }
    }

    @Test
    void sigtermStopsTheBrokerCleanlyAndAnAcknowledgedMessageSurvivesIntoTheNextBroker() throws Exception {
        String secret;
        long messageId;
        try (ChildBroker broker = ChildBroker.start(home(), ENV)) {
            try (PeersClient sink = connect();
                    PeersClient source = connect()) {
                sink.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("sink"));
                source.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("source"));
                secret = sink.resumeSecret();
                messageId = source.send("sink", "survives SIGTERM").message().id();
                broker.process().destroy(); // SIGTERM while both clients are connected
                int exit = broker.awaitExit(30);
                assertTrue(exit == 0 || exit == 143, "a clean exit, not " + exit + ": " + broker.stderr());
            }
            assertTrue(broker.stderr().contains("event=stop"), broker.stderr());
            assertFalse(Files.exists(home().resolve("peers.sock")), "the listener removed its socket file");
        }
        try (ChildBroker next = ChildBroker.start(home(), ENV);
                PeersClient sink = connect()) {
            assertTrue(
                    sink.register(RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(secret))
                            .resumed());
            List<Envelope> pending = sink.pending(10);
            assertEquals(1, pending.size(), pending.toString());
            assertEquals(messageId, pending.get(0).message().id());
            assertEquals("survives SIGTERM", pending.get(0).message().text());
        }
    }

    @Test
    void aShutdownRequestStopsTheBroker() throws Exception {
        try (ChildBroker broker = ChildBroker.start(home(), ENV)) {
            try (PeersClient client = connect()) {
                client.shutdownBroker();
            }
            assertEquals(0, broker.awaitExit(30), "stopped on request: " + broker.stderr());
            assertTrue(broker.stderr().contains("event=stop"), broker.stderr());
            assertEquals(SocketFileState.ABSENT, SocketFiles.probe(home().resolve("peers.sock")));
        }
    }

    @Test
    void fiveThreadsStartingAtOnceYieldExactlyOneBrokerProcess() throws Exception {
        PeersPaths paths = PeersPaths.under(home());
        ExecutorService threads = Executors.newFixedThreadPool(5);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> starts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                starts.add(threads.submit(() -> {
                    go.await();
                    return new BrokerStarter(paths, ChildBroker.brokerCommand(), Map.of())
                            .ensureRunning(Duration.ofSeconds(30));
                }));
            }
            go.countDown();
            int started = 0;
            List<Throwable> failures = new ArrayList<>();
            for (Future<Boolean> start : starts) {
                try {
                    started += start.get(60, TimeUnit.SECONDS) ? 1 : 0;
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertEquals(List.of(), failures, "every starter returns once a broker answers");
            assertEquals(1, started, "exactly one of the starters started a broker");
            List<ProcessHandle> brokers = brokerProcesses(home());
            assertEquals(1, brokers.size(), "one broker process for this home: " + brokers);
            try (PeersClient client = connect()) {
                assertEquals(brokers.get(0).pid(), client.stats().pid());
            }
        } finally {
            // Let every starter finish first, so that no broker is spawned after the clean-up below.
            threads.shutdown();
            threads.awaitTermination(60, TimeUnit.SECONDS);
            for (ProcessHandle broker : brokerProcesses(home())) {
                stop(broker);
            }
        }
    }

    /** Broker processes whose home is this test's. */
    private static List<ProcessHandle> brokerProcesses(Path home) {
        return BrokerProcesses.under(List.of(home));
    }

    private static void stop(ProcessHandle broker) throws InterruptedException {
        broker.destroy();
        try {
            broker.onExit().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            broker.destroyForcibly();
        }
    }
}
