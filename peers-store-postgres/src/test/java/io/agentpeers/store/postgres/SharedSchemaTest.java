package io.agentpeers.store.postgres;

import static io.agentpeers.testkit.StoreContractFixtures.at;
import static io.agentpeers.testkit.StoreContractFixtures.message;
import static io.agentpeers.testkit.StoreContractFixtures.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.Message;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.port.StoreTransaction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two stores of two brokers on one schema: what each calls its own, what it sees of the other's, the
 * notification that rings the other broker at a commit, and the lease.
 */
@Tag("postgres")
class SharedSchemaTest {
    private final PostgresServer server = PostgresServer.shared();
    private final String schema = server.freshSchema();

    @Test
    void eachBrokerCallsOnlyItsOwnPeersItsOwnAndSeesTheOthersWithTheirHolder() {
        try (PostgresPeerStore a = open(PostgresBroker.of("broker-a", "host-a"));
                PostgresPeerStore b = open(PostgresBroker.of("broker-b", "host-b"))) {
            Peer alice = peer("alice001")
                    .name("alice")
                    .agent(700, 7000)
                    .sessionKey("s1")
                    .build();
            Peer gone = peer("gone0001").agent(800, 8000).gone(at(5)).build();
            a.inTransaction(tx -> {
                tx.insertPeer(alice);
                tx.insertPeer(gone);
                return null;
            });
            Peer bob = peer("bob00001").name("bob").build();
            b.inTransaction(tx -> {
                tx.insertPeer(bob);
                return null;
            });

            assertEquals(List.of(alice), a.read(StoreTransaction::livePeers));
            assertEquals(List.of(bob), b.read(StoreTransaction::livePeers));
            List<Peer> seenFromB = b.read(StoreTransaction::remotePeers);
            assertEquals(1, seenFromB.size());
            assertEquals(new PeerHolder("broker-a", "host-a"), seenFromB.get(0).holder());
            assertEquals(alice.id(), seenFromB.get(0).id());
            assertEquals(
                    new PeerHolder("broker-a", "host-a"),
                    b.read(tx -> tx.findPeer(alice.id())).orElseThrow().holder());
            assertEquals(alice, a.read(tx -> tx.findPeer(alice.id())).orElseThrow(), "its own: no holder");
            assertEquals(1, b.read(tx -> tx.findPeersByName("alice")).size(), "names are the network's");

            // A pid or a session means something on one machine: b never takes a's gone peer back by them.
            assertTrue(b.read(tx -> tx.findGonePeerByAgent(800, 8000, gone.clientType(), gone.cwd()))
                    .isEmpty());
            assertEquals(
                    gone.id(),
                    a.read(tx -> tx.findGonePeerByAgent(800, 8000, gone.clientType(), gone.cwd()))
                            .orElseThrow()
                            .id());

            // b starting again marks its own previous peers gone, never a's.
            assertEquals(1, (int) b.inTransaction(tx -> tx.markAllLivePeersGone(at(10), at(20))));
            assertEquals(
                    PeerState.LIVE,
                    a.read(tx -> tx.findPeer(alice.id())).orElseThrow().state());

            // A peer taken over (resumed by secret) belongs to the broker that wrote it last.
            Peer resumedOnB = a.read(tx -> tx.findPeer(gone.id())).orElseThrow();
            b.inTransaction(tx -> {
                tx.updatePeer(resumedOnB);
                return null;
            });
            assertEquals(resumedOnB, b.read(tx -> tx.findPeer(gone.id())).orElseThrow());
        }
    }

    @Test
    void aMessageToAnotherBrokersPeerRingsThatBrokerOnceAndIsItsRemoteMail() throws Exception {
        // A poll far longer than the test: only the notification can ring within it.
        try (PostgresPeerStore a = open(PostgresBroker.of("broker-a", "host-a").withPoll(Duration.ofMinutes(5)));
                PostgresPeerStore b = open(PostgresBroker.of("broker-b", "host-b"))) {
            Peer alice = peer("alice001").build();
            Peer bob = peer("bob00001").build();
            a.inTransaction(tx -> {
                tx.insertPeer(alice);
                return null;
            });
            b.inTransaction(tx -> {
                tx.insertPeer(bob);
                return null;
            });
            Semaphore rings = new Semaphore(0);
            a.onRemoteCommit(rings::release);
            assertTrue(rings.tryAcquire(10, TimeUnit.SECONDS), "the bell rings once it listens");
            rings.drainPermits();

            List<Long> ids = b.inTransaction(tx -> List.of(
                    tx.insertMessage(message(bob, alice, "one", at(1))).id(),
                    tx.insertMessage(message(bob, alice, "two", at(1))).id(),
                    tx.insertMessage(message(alice, bob, "local to b", at(1))).id()));
            assertTrue(rings.tryAcquire(10, TimeUnit.SECONDS), "a commit of b rings a");
            assertTrue(!rings.tryAcquire(300, TimeUnit.MILLISECONDS), "one ring for the commit's two messages");

            assertEquals(
                    ids.subList(0, 2),
                    a.read(tx -> tx.remoteMail(0, 10)).stream().map(Message::id).toList());
            assertEquals(
                    List.of(ids.get(1)),
                    a.read(tx -> tx.remoteMail(ids.get(0), 10)).stream()
                            .map(Message::id)
                            .toList());
            assertEquals(List.of(), b.read(tx -> tx.remoteMail(0, 10)), "b wrote the one to bob itself");
            a.inTransaction(tx -> tx.markDelivered(alice.id(), ids.subList(0, 2), at(2)));
            assertEquals(List.of(), a.read(tx -> tx.remoteMail(0, 10)), "delivered: no longer waiting");
        }
    }

    @Test
    void aBrokerSilentPastTheLeaseHasItsPeersMarkedGoneAndFindsItsStoreLostWhenItBeatsAgain() throws Exception {
        // a's own lease is long: a never takes b for dead when b's beats come late on a loaded machine (b's short
        // lease is what lapses a here; a finds out at its next beat, every third of its lease).
        PostgresBroker quick = PostgresBroker.of("broker-a", "host-a").withLease(Duration.ofMillis(3_000));
        try (PostgresPeerStore a = open(quick);
                PostgresPeerStore b =
                        open(PostgresBroker.of("broker-b", "host-b").withLease(Duration.ofMillis(600)))) {
            Peer alice = peer("alice001").build();
            a.inTransaction(tx -> {
                tx.insertPeer(alice);
                return null;
            });
            // a's heartbeat held back as if its machine froze: its row aged past the lease by hand, again and
            // again (a's own beats renew it meanwhile), until b's beat finds it aged.
            waitUntil(
                    () -> {
                        server.execute(
                                schema, "UPDATE brokers SET heartbeat = 0 WHERE id = 'broker-a' AND lapsed_at IS NULL");
                        return b.read(tx -> tx.findPeer(alice.id()))
                                        .orElseThrow()
                                        .state()
                                == PeerState.GONE;
                    },
                    "b marks a's peer gone");
            Peer gone = b.read(tx -> tx.findPeer(alice.id())).orElseThrow();
            assertTrue(gone.nameReservedUntil().isAfter(gone.goneAt()), "its name stays reserved a while");
            waitUntil(
                    () -> {
                        try {
                            a.read(StoreTransaction::counts);
                            return false;
                        } catch (StoreLostException e) {
                            return true;
                        }
                    },
                    "a finds at its next beat that it lapsed");
            assertInstanceOf(
                    StoreLostException.class,
                    assertThrows(
                            RuntimeException.class,
                            () -> a.inTransaction(tx -> tx.markAllLivePeersGone(at(1), at(2)))));
        }
        // Its next start takes its row back.
        try (PostgresPeerStore again = open(quick)) {
            assertEquals(List.of(), again.read(StoreTransaction::livePeers));
        }
    }

    private PostgresPeerStore open(PostgresBroker broker) {
        return PostgresPeerStore.open(server.url(schema), server.credentials(), broker);
    }

    private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
