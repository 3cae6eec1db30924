package io.agentpeers.app;

import static io.agentpeers.app.SharedPostgresHomes.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.postgres.PostgresServer;
import io.agentpeers.store.postgres.ServerRelay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers in this JVM (two homes, so two broker ids, two Unix sockets) on one schema of the test
 * PostgreSQL server: their peers see each other in scope {@code network}, write to each other by name and
 * get pushes, and a broker cut off from the database has its peers marked gone after the lease, to resume
 * on the other broker by secret.
 */
@Tag("postgres")
class SharedPostgresBrokersTest {
    @TempDir
    Path temp;

    private final PostgresServer server = PostgresServer.shared();
    private SharedPostgresHomes homes;

    @BeforeEach
    void homes() {
        homes = new SharedPostgresHomes(temp, server, server.freshSchema());
    }

    @Test
    void peersOfTwoBrokersListEachOtherInNetworkScopeAndWriteToEachOtherByNameWithPushes() throws Exception {
        try (PeersBroker a = homes.broker("a").start();
                PeersBroker b = homes.broker("b").start();
                PeersClient alice = homes.client("a");
                PeersClient bob = homes.client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            bob.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("bob"));
            assertNotEquals(homes.brokerId("a"), homes.brokerId("b"), "each home has an id of its own");

            assertEquals(List.of("bob"), names(alice.listPeers(Scope.NETWORK)));
            assertEquals(
                    new PeerHolder(homes.brokerId("b"), "host-b"),
                    alice.listPeers(Scope.NETWORK).get(0).broker(),
                    "bob's broker and host vouch for him");
            assertEquals(List.of("alice"), names(bob.listPeers(Scope.NETWORK)));
            assertEquals(List.of(), names(alice.listPeers(Scope.MACHINE)), "machine: this broker's peers");
            assertThrows(
                    RuntimeException.class,
                    () -> bob.register(
                            RegisterRequest.of("/w/b", ClientType.GENERIC).withName("alice")),
                    "a name is the network's: a live peer of another broker holds it");

            List<Envelope> toBob = new CopyOnWriteArrayList<>();
            List<Envelope> toAlice = new CopyOnWriteArrayList<>();
            bob.subscribe(toBob::add);
            alice.subscribe(toAlice::add);

            long first = alice.send("bob", "across brokers").message().id();
            waitUntil(() -> toBob.size() == 1, "bob's push from alice's broker");
            assertEquals(first, toBob.get(0).message().id());
            assertEquals("alice", toBob.get(0).sender().name(), "the sender's details come from the database");
            long answer = bob.send("alice", "and back", first).message().id();
            waitUntil(() -> toAlice.size() == 1, "alice's push from bob's broker");
            assertEquals(answer, toAlice.get(0).message().id());

            waitUntil(() -> bob.pending(10).isEmpty() && alice.pending(10).isEmpty(), "both acknowledged");
            assertEquals(
                    List.of("read", "delivered"), // answered, so read; the answer pushed and acknowledged
                    homes.strings(
                            "SELECT state FROM messages WHERE id IN (" + first + ", " + answer + ") ORDER BY id"));

            // bob's agent is this JVM, b's own process: b refuses (KillAcrossBrokersTest kills a real one).
            RuntimeException refused = assertThrows(RuntimeException.class, () -> alice.kill("bob"));
            assertTrue(refused.getMessage().contains("on host-b that holds bob refused"), refused.getMessage());
        }
    }

    @Test
    void scopeRepoReachesClonesOfOneRemoteOnOtherBrokersButNotTheirFolders() throws Exception {
        try (PeersBroker a = homes.broker("a").start();
                PeersBroker b = homes.broker("b").start();
                PeersClient alice = homes.client("a");
                PeersClient bob = homes.client("b");
                PeersClient carol = homes.client("b");
                PeersClient dave = homes.client("b")) {
            // One project cloned on two hosts: the git common dirs differ, the remote is the same.
            alice.register(RegisterRequest.of("/home/alice/app", ClientType.GENERIC)
                    .withName("alice")
                    .withRepo("/home/alice/app", "/home/alice/app/.git")
                    .withRepoRemote("github.com/team/app"));
            bob.register(RegisterRequest.of("/srv/bob/app", ClientType.GENERIC)
                    .withName("bob")
                    .withRepo("/srv/bob/app", "/srv/bob/app/.git")
                    .withRepoRemote("github.com/team/app"));
            // Hosts that name a clone alike (containers, one image) match by the key alone.
            carol.register(RegisterRequest.of("/home/alice/app", ClientType.GENERIC)
                    .withName("carol")
                    .withRepo("/home/alice/app", "/home/alice/app/.git"));
            dave.register(RegisterRequest.of("/srv/bob/other", ClientType.GENERIC)
                    .withName("dave")
                    .withRepo("/srv/bob/other", "/srv/bob/other/.git")
                    .withRepoRemote("github.com/team/other"));

            assertEquals(List.of("bob", "carol"), names(alice.listPeers(Scope.REPO)));
            assertEquals(
                    "github.com/team/app", alice.listPeers(Scope.REPO).get(0).repoRemote());
            assertEquals(List.of("alice"), names(bob.listPeers(Scope.REPO)), "b's own carol shares neither");
            assertEquals(List.of(), names(dave.listPeers(Scope.REPO)));
            assertEquals(List.of(), names(alice.listPeers(Scope.DIRECTORY)), "a folder is a path of one host");
        }
    }

    @Test
    void aBurstOfCrossBrokerSendsArrivesWholeAndEachMessageOnce() throws Exception {
        int senders = 4;
        int each = 150;
        try (PeersBroker a = homes.broker("a").start();
                PeersBroker b = homes.broker("b").start();
                PeersClient bob = homes.client("b")) {
            bob.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("bob"));
            Map<Long, Integer> received = new ConcurrentHashMap<>();
            bob.subscribe(envelope -> received.merge(envelope.message().id(), 1, Integer::sum));

            Set<Long> sent = ConcurrentHashMap.newKeySet();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int s = 0; s < senders; s++) {
                int n = s;
                Thread thread = new Thread(() -> {
                    try (PeersClient sender = homes.client("a")) {
                        sender.register(
                                RegisterRequest.of("/w/a", ClientType.GENERIC).withName("sender-" + n));
                        for (int i = 0; i < each; i++) {
                            sent.add(sender.send("bob", "burst " + n + "/" + i)
                                    .message()
                                    .id());
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join(120_000);
                assertFalse(thread.isAlive(), "a sender finished");
            }
            assertEquals(List.of(), failures);
            assertEquals(senders * each, sent.size());
            waitUntil(() -> received.size() == sent.size(), "every message pushed to bob");
            assertEquals(sent, received.keySet(), "nothing lost, nothing from elsewhere");
            assertEquals(Set.of(1), Set.copyOf(received.values()), "nothing shown twice");
            waitUntil(() -> bob.pending(10).isEmpty(), "every message acknowledged");
        }
    }

    @Test
    void aBrokerCutOffFromTheDatabaseHasItsPeersMarkedGoneAfterTheLeaseAndTheyResumeOnTheOtherBySecret()
            throws Exception {
        // Broker a reaches the database through a relay: cutting it is a partition that lasts, where a
        // terminated backend alone would be reconnected at once (an outage shorter than the lease).
        ServerRelay network = new ServerRelay(server.port());
        PeersBroker a = homes.broker("a", Map.of("PEERS_DB", homes.databaseVia(network.port())))
                .start();
        try (network;
                PeersBroker b = homes.broker("b").start();
                PeersClient alice = homes.client("a");
                PeersClient bob = homes.client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            bob.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("bob"));
            String secret = alice.resumeSecret();
            String aliceId = alice.self().id();

            network.cut();
            RuntimeException refused = assertThrows(RuntimeException.class, () -> alice.listPeers(Scope.NETWORK));
            assertTrue(
                    refused.getMessage().contains("cannot reach its database"),
                    "cut off, it refuses and waits for the database: " + refused.getMessage());
            waitUntil(() -> a.failure().isPresent(), "broker a stops once its outage outlasts its lease");
            assertEquals(
                    List.of("live"),
                    homes.strings("SELECT state FROM peers WHERE id = '" + aliceId + "'"),
                    "a broker that died marks nothing gone itself");
            long waiting = bob.send("alice", "for when you are back").message().id();

            waitUntil(
                    () -> homes.strings("SELECT state FROM peers WHERE id = '" + aliceId + "'")
                            .equals(List.of("gone")),
                    "b marks alice gone after a's lease");
            assertFalse(names(bob.listPeers(Scope.NETWORK)).contains("alice"));

            try (PeersClient back = homes.client("b")) {
                back.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withResumeSecret(secret));
                assertEquals(aliceId, back.self().id(), "the same peer, now on broker b");
                assertEquals("alice", back.self().name());
                assertEquals(PeerState.LIVE, back.self().state());
                assertEquals(waiting, back.pending(10).get(0).message().id(), "its mail waited");
                assertEquals(List.of("alice"), names(bob.listPeers(Scope.MACHINE)), "b holds it now");
            }
        } finally {
            a.close();
        }
    }

    @Test
    void aSecondBrokerOfTheSameIdIsRefused() throws Exception {
        try (PeersBroker a = homes.broker("a").start()) {
            homes.homeWithBrokerId("copy", homes.brokerId("a"));
            RuntimeException refused = assertThrows(
                    RuntimeException.class, () -> homes.broker("copy").start().close());
            assertTrue(refused.getMessage().contains("in use by another peers broker"), refused.getMessage());
        }
    }

    // ---- helpers

    private static List<String> names(List<PeerInfo> peers) {
        return peers.stream().map(PeerInfo::displayName).collect(Collectors.toList());
    }
}
