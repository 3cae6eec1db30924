package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.BrokerUnavailableException;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a broker process while 1,000 messages are being sent, then a restart on the same home:
 * every send the broker acknowledged reaches its recipient exactly once after dedupe by id.
 */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
class BrokerCrashTest {
    private static final int MESSAGES = 1_000;
    private static final int KILL_AFTER = 300;
    private static final int RETRIES_PER_SEND = 40;
    private static final Map<String, String> ENV = Map.of("PEERS_RATE", "100000/100000", "PEERS_SWEEP_MS", "600000");

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedSendArrivesExactlyOnceAcrossAKill9AndRestart() throws Exception {
        Path home = dir.resolve("home");
        AtomicReference<ChildBroker> broker = new AtomicReference<>(ChildBroker.start(home, ENV));
        ChildBroker first = broker.get();
        ClientOptions options = ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(15));
        UnixSocketConnector connector = new UnixSocketConnector(home.resolve("peers.sock"));
        Thread killer = null;
        try (PeersClient recipient = PeersClient.connect(connector, options);
                PeersClient sender = PeersClient.connect(connector, options)) {
            // id -> how many times the listener saw it; seq (from the text) -> how many stored messages carried it
            Map<Long, AtomicInteger> received = new ConcurrentHashMap<>();
            Map<Integer, AtomicInteger> receivedSeqs = new ConcurrentHashMap<>();
            recipient.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("sink"));
            recipient.subscribe(envelope -> {
                received.computeIfAbsent(envelope.message().id(), id -> new AtomicInteger())
                        .incrementAndGet();
                int seq = Integer.parseInt(envelope.message().text().substring("m-".length()));
                receivedSeqs.computeIfAbsent(seq, s -> new AtomicInteger()).incrementAndGet();
            });
            sender.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("source"));
            String to = recipient.self().id();

            List<Long> acknowledged = new ArrayList<>();
            AtomicInteger ackCount = new AtomicInteger();
            AtomicReference<Throwable> killerFailure = new AtomicReference<>();
            killer = new Thread(
                    () -> {
                        try {
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                            while (ackCount.get() < KILL_AFTER && System.nanoTime() < deadline) {
                                Thread.sleep(1);
                            }
                            broker.get().kill9();
                            broker.set(ChildBroker.start(home, ENV));
                        } catch (Throwable e) {
                            killerFailure.set(e);
                        }
                    },
                    "broker-killer");
            killer.start();

            int retried = 0;
            for (int seq = 0; seq < MESSAGES; seq++) {
                Long id = null;
                for (int attempt = 0; id == null; attempt++) {
                    try {
                        id = sender.send(to, "m-" + seq).message().id();
                    } catch (BrokerUnavailableException e) {
                        retried++;
                        assertTrue(attempt < RETRIES_PER_SEND, "send " + seq + " kept failing: " + e.getMessage());
                        Thread.sleep(50);
                    }
                }
                acknowledged.add(id);
                ackCount.incrementAndGet();
            }
            killer.join(TimeUnit.SECONDS.toMillis(60));
            assertEquals(null, killerFailure.get(), "killing and restarting the broker worked");
            assertNotEquals(first.pid(), broker.get().pid(), "the broker was restarted during the sends");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!received.keySet().containsAll(acknowledged) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<Long> missing = acknowledged.stream()
                    .filter(id -> !received.containsKey(id))
                    .toList();
            long duplicates =
                    received.values().stream().filter(count -> count.get() > 1).count();
            long storedTwice = receivedSeqs.values().stream()
                    .filter(count -> count.get() > 1)
                    .count();
            List<Long> notDelivered = new ArrayList<>();
            for (long id : acknowledged) {
                Message stored = sender.message(id);
                if (stored.state() != MessageState.DELIVERED && stored.state() != MessageState.READ) {
                    notDelivered.add(id);
                }
            }
            int pendingLeft = recipient.pending(1_000).size();
            System.out.printf(
                    "kill -9 test: acknowledged=%d retried=%d received=%d duplicates_seen=%d "
                            + "stored_twice_by_retries=%d missing=%d not_delivered=%d pending_left=%d%n",
                    acknowledged.size(),
                    retried,
                    received.size(),
                    duplicates,
                    storedTwice,
                    missing.size(),
                    notDelivered.size(),
                    pendingLeft);

            assertEquals(MESSAGES, acknowledged.size());
            assertEquals(MESSAGES, acknowledged.stream().distinct().count(), "every acknowledged send has its own id");
            assertEquals(List.of(), missing, "acknowledged but never received");
            assertEquals(0, duplicates, "the listener saw an id twice (the client dedupes)");
            assertEquals(List.of(), notDelivered, "acknowledged sends the broker does not show as delivered");
            assertEquals(0, pendingLeft, "nothing stays pending for the recipient");
            for (int seq = 0; seq < MESSAGES; seq++) {
                assertTrue(receivedSeqs.containsKey(seq), "message m-" + seq + " never arrived");
            }
        } finally {
            if (killer != null) {
                killer.interrupt();
                killer.join(TimeUnit.SECONDS.toMillis(20));
            }
            first.close();
            broker.get().close();
        }
    }
}
