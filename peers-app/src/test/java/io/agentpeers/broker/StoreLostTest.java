package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.StoreException;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The database file or its WAL deleted under a running broker process: the next send is answered
 * {@code store_failure} instead of being acknowledged into a file nobody will read, the broker says so
 * in one log line and exits 70 so that its service restarts it, and the restarted broker serves again.
 *
 * <p>What the restarted broker finds: nothing when the database file was deleted (its contents went
 * with it); the 50 acknowledged messages when the WAL was, because the stopping broker's SQLite
 * checkpointed the WAL it still had open into the database file. The refused send is in neither.
 */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
class StoreLostTest {
    private static final int BEFORE = 50;
    private static final int EXIT_FATAL = 70;
    private static final Map<String, String> ENV = Map.of("PEERS_RATE", "100000/100000");

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"peers.db, 0", "peers.db-wal, 50"})
    void aDeletedFileStopsTheAcknowledgementsAndTheBroker(String deleted, long keptAfterRestart) throws Exception {
        Path home = dir.resolve("home");
        Path file = home.resolve(deleted);
        ClientOptions options = ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(15));
        UnixSocketConnector connector = new UnixSocketConnector(home.resolve("peers.sock"));
        try (ChildBroker broker = ChildBroker.start(home, ENV)) {
            try (PeersClient recipient = PeersClient.connect(connector, options);
                    PeersClient sender = PeersClient.connect(connector, options)) {
                recipient.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("sink"));
                sender.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("source"));
                String to = recipient.self().id();
                List<Long> acknowledged = new ArrayList<>();
                for (int i = 0; i < BEFORE; i++) {
                    acknowledged.add(sender.send(to, "m-" + i).message().id());
                }
                assertTrue(Files.exists(file), file + " exists before the fault");
                Files.delete(file);

                StoreException refused = assertThrows(StoreException.class, () -> sender.send(to, "after the fault"));
                assertEquals("store_failure", refused.code());
                assertTrue(refused.getMessage().contains(file + " was deleted"), refused.getMessage());
                assertEquals(BEFORE, acknowledged.size());
            }
            long refusedAt = System.nanoTime();
            int status = broker.awaitExit(10);
            long exitMillis = (System.nanoTime() - refusedAt) / 1_000_000;
            String stderr = broker.stderr();
            assertEquals(EXIT_FATAL, status, "the broker exits 70 (EX_SOFTWARE) within 10 s: " + stderr);
            List<String> fatal =
                    stderr.lines().filter(line -> line.contains("event=fatal")).toList();
            assertEquals(1, fatal.size(), stderr);
            assertTrue(fatal.get(0).contains(file + " was deleted"), fatal.get(0));
            System.out.println("store lost test, " + deleted + " deleted: exit " + status + " " + exitMillis
                    + " ms after the refusal; " + fatal.get(0));
        }

        try (ChildBroker restarted = ChildBroker.start(home, ENV);
                PeersClient client = PeersClient.connect(connector, options)) {
            BrokerStats stats = client.stats();
            assertEquals(restarted.pid(), stats.pid(), "the restarted broker answers");
            System.out.println("store lost test, " + deleted + " deleted: after the restart " + stats.peers() + " "
                    + stats.messages());
            BrokerStats.MessageCounts messages = stats.messages();
            assertEquals(
                    keptAfterRestart,
                    messages.pending() + messages.delivered() + messages.read() + messages.undeliverable(),
                    "messages after the restart");
            client.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("again"));
        }
    }
}
