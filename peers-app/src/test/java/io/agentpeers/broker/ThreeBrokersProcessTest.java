package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.postgres.PostgresServer;
import io.agentpeers.testkit.Await;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real broker processes (three homes, broker ids and host names) on one schema of the test PostgreSQL
 * server, a recipient and two senders on each, every send to another broker's recipient by name. Broker c
 * gets SIGKILL in the middle: every acknowledged send still arrives (c's recipient gets its mail after
 * resuming on broker a by secret), none twice beyond what was pushed but not yet acknowledged when c died,
 * c's peers are marked gone after the lease, and a and b serve their senders throughout.
 */
@Tag("process")
@Tag("postgres")
@ExtendWith(EndsStrayBrokers.class)
class ThreeBrokersProcessTest {
    private static final List<String> BROKERS = List.of("a", "b", "c");
    private static final int SENDERS_PER_BROKER = 2;
    private static final int KILL_AFTER = 150;
    private static final int MAX_SENDS_PER_SENDER = 5_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    /** What one recipient's listener saw: how often each id came. */
    private static final class Inbox {
        final Map<Long, Integer> counts = new ConcurrentHashMap<>();
        final Map<Long, String> senders = new ConcurrentHashMap<>();

        void add(long id, String sender) {
            counts.merge(id, 1, Integer::sum);
            senders.put(id, sender);
        }
    }

    @Test
    void aKill9OfOneOfThreeBrokersDuringCrossBrokerSendsLosesNothingAndDuplicatesNothing() throws Exception {
        SharedSchema db = SharedSchema.fresh(PostgresServer.shared(), "127.0.0.1");
        Map<String, ChildBroker> brokers = new ConcurrentHashMap<>();
        List<PeersClient> clients = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            for (String name : BROKERS) {
                brokers.put(name, ChildBroker.start(home(name), db.brokerEnv("host-" + name)));
            }
            Map<String, Inbox> inboxes = new ConcurrentHashMap<>();
            Map<String, PeersClient> recipients = new ConcurrentHashMap<>();
            for (String name : BROKERS) {
                PeersClient recipient = connect(name, clients);
                recipient.register(
                        RegisterRequest.of("/w/" + name, ClientType.GENERIC).withName("r-" + name));
                Inbox inbox = new Inbox();
                inboxes.put("r-" + name, inbox);
                recipient.subscribe(e -> inbox.add(e.message().id(), e.sender().name()));
                recipients.put(name, recipient);
            }
            try (PeersClient observer = connect("a", clients)) {
                observer.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("observer"));
                List<PeerInfo> network = observer.listPeers(Scope.NETWORK);
                assertEquals(
                        Set.of("r-a", "r-b", "r-c"),
                        Set.copyOf(network.stream().map(PeerInfo::name).toList()),
                        "the recipients of all three brokers, seen from a");
                assertEquals(
                        Set.of("host-b", "host-c"),
                        Set.copyOf(network.stream()
                                .filter(p -> p.broker() != null)
                                .map(p -> p.broker().host())
                                .toList()),
                        "b and c vouch for theirs");
            }

            // Each acknowledged send: id -> recipient name. A sender records only what the broker acknowledged.
            Map<Long, String> acknowledged = new ConcurrentHashMap<>();
            Map<String, Integer> ackedBySender = new ConcurrentHashMap<>();
            Map<String, Throwable> failures = new ConcurrentHashMap<>();
            for (String name : BROKERS) {
                for (int s = 0; s < SENDERS_PER_BROKER; s++) {
                    String self = "s-" + name + "-" + s;
                    List<String> targets = BROKERS.stream()
                            .filter(other -> !other.equals(name))
                            .map(other -> "r-" + other)
                            .toList();
                    PeersClient sender = connect(name, clients);
                    sender.register(
                            RegisterRequest.of("/w/" + name, ClientType.GENERIC).withName(self));
                    Thread thread = new Thread(
                            () -> {
                                try {
                                    for (int i = 0; i < MAX_SENDS_PER_SENDER && !stop.get(); i++) {
                                        String to = targets.get(i % targets.size());
                                        long id = sender.send(to, self + " #" + i)
                                                .message()
                                                .id();
                                        acknowledged.put(id, to);
                                        ackedBySender.merge(self, 1, Integer::sum);
                                        Thread.sleep(2);
                                    }
                                } catch (Throwable e) {
                                    failures.put(self, e);
                                }
                            },
                            self);
                    thread.start();
                    threads.add(thread);
                }
            }

            Await.until(WAIT, () -> acknowledged.size() >= KILL_AFTER, "sends before the kill");
            String secret = recipients.get("c").resumeSecret();
            String cRecipientId = recipients.get("c").self().id();
            String cBrokerId = brokerId("c");
            brokers.get("c").kill9();
            int survivorsAtKill = sentBySurvivors(ackedBySender);
            // Nothing of c commits any more (its backends end with its sockets): what r-c had acknowledged is
            // fixed. A message pushed to r-c and not acknowledged comes again after the resume, as it must.
            TimeUnit.MILLISECONDS.sleep(500);
            Set<Long> unacknowledgedAtKill = new HashSet<>(longs(db.strings(
                    "SELECT id FROM messages WHERE recipient_id = '" + cRecipientId + "' AND state = 'pending'")));
            Set<Long> seenByCBeforeKill = Set.copyOf(inboxes.get("r-c").counts.keySet());

            Await.until(
                    WAIT,
                    () -> db.strings("SELECT DISTINCT state FROM peers WHERE broker_id = '" + cBrokerId + "'")
                            .equals(List.of("gone")),
                    "c's peers marked gone after its lease");
            assertTrue(
                    sentBySurvivors(ackedBySender) > survivorsAtKill,
                    "a and b acknowledged sends while c's lease ran out");
            try (PeersClient observer = connect("b", clients)) {
                observer.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("observer-b"));
                List<String> listed = observer.listPeers(Scope.NETWORK).stream()
                        .map(PeerInfo::name)
                        .toList();
                assertFalse(listed.contains("r-c"), "a gone peer is not listed: " + listed);
                assertTrue(listed.contains("r-a"), listed.toString());
            }

            // r-c comes back on broker a by its secret; the messages sent to it meanwhile waited.
            Inbox cAfter = new Inbox();
            PeersClient resumed = connect("a", clients);
            resumed.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withResumeSecret(secret));
            assertEquals(cRecipientId, resumed.self().id(), "the same peer, now on broker a");
            resumed.subscribe(e -> cAfter.add(e.message().id(), e.sender().name()));
            int afterResume = acknowledged.size();
            Await.until(WAIT, () -> acknowledged.size() >= afterResume + 100, "sends after the resume");
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(WAIT.toMillis());
                assertFalse(thread.isAlive(), thread.getName() + " finished");
            }

            for (Map.Entry<String, Throwable> failure : failures.entrySet()) {
                assertTrue(
                        failure.getKey().startsWith("s-c-"),
                        "only the senders on the killed broker fail: " + failure.getKey() + " " + failure.getValue());
            }
            for (String name : List.of("r-a", "r-b", "r-c")) {
                Set<Long> expected = idsTo(acknowledged, name);
                Inbox[] seenBy =
                        name.equals("r-c") ? new Inbox[] {inboxes.get(name), cAfter} : new Inbox[] {inboxes.get(name)};
                Await.until(
                        WAIT,
                        () -> union(seenBy).containsAll(expected),
                        name + " got every acknowledged send (" + expected.size() + ")");
                Set<Long> extra = new HashSet<>(union(seenBy));
                extra.removeAll(expected);
                for (long id : extra) {
                    // Committed but unacknowledged when c died: only a send of c's own senders can be that.
                    assertTrue(
                            seenBy[0]
                                    .senders
                                    .getOrDefault(id, cAfter.senders.getOrDefault(id, ""))
                                    .startsWith("s-c-"),
                            name + " got " + id + " that nobody sent");
                }
                assertTrue(extra.size() <= SENDERS_PER_BROKER, name + ": " + extra);
                for (Inbox inbox : seenBy) {
                    assertEquals(
                            Set.of(1), Set.copyOf(inbox.counts.values()), name + ": nothing twice on one connection");
                }
            }
            Set<Long> twice = new HashSet<>(seenByCBeforeKill);
            twice.retainAll(cAfter.counts.keySet());
            assertTrue(
                    unacknowledgedAtKill.containsAll(twice),
                    "r-c is shown again only what it had not acknowledged when c died: " + twice);
            System.err.printf(
                    "[three brokers] %d acknowledged sends, %d by a and b after c's kill; r-c shown again %d that it"
                            + " had not acknowledged when c died%n",
                    acknowledged.size(), sentBySurvivors(ackedBySender) - survivorsAtKill, twice.size());
            Await.until(
                    WAIT,
                    () -> db.strings("SELECT count(*) FROM messages WHERE state = 'pending'")
                            .equals(List.of("0")),
                    "every message acknowledged in the end");
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(WAIT.toMillis());
            }
            clients.forEach(PeersClient::close);
            brokers.values().forEach(ChildBroker::close);
        }
    }

    // ---- helpers

    private Path home(String broker) {
        return temp.resolve(broker);
    }

    private PeersClient connect(String broker, List<PeersClient> clients) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(home(broker).resolve("peers.sock")),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
        clients.add(client);
        return client;
    }

    private String brokerId(String broker) throws Exception {
        return Files.readString(home(broker).resolve("broker-id")).strip();
    }

    private static int sentBySurvivors(Map<String, Integer> ackedBySender) {
        return ackedBySender.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("s-c-"))
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    private static Set<Long> idsTo(Map<Long, String> acknowledged, String recipient) {
        Set<Long> ids = new HashSet<>();
        acknowledged.forEach((id, to) -> {
            if (to.equals(recipient)) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static Set<Long> union(Inbox... inboxes) {
        Set<Long> all = new HashSet<>();
        for (Inbox inbox : inboxes) {
            all.addAll(inbox.counts.keySet());
        }
        return all;
    }

    private static List<Long> longs(List<String> strings) {
        return strings.stream().map(Long::valueOf).toList();
    }
}
