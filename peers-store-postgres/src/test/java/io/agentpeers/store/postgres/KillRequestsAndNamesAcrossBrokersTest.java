package io.agentpeers.store.postgres;

import static io.agentpeers.testkit.StoreContractFixtures.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.KillOutcome;
import io.agentpeers.core.KillRefusedException;
import io.agentpeers.core.KillRequest;
import io.agentpeers.core.NameTakenException;
import io.agentpeers.core.Peer;
import io.agentpeers.core.StoreConflictException;
import io.agentpeers.core.port.StoreTransaction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two stores of two brokers on one schema: the kill requests one asks of the other (taken once, voided when
 * old or when the asker gave up first, each step ringing the other side), and the unique index of live names
 * answering {@code name_taken} when two brokers take one name at once.
 */
@Tag("postgres")
class KillRequestsAndNamesAcrossBrokersTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final Duration LONG_POLL = Duration.ofMinutes(5);

    private final PostgresServer server = PostgresServer.shared();
    private final String schema = server.freshSchema();

    @Test
    void aRequestRingsItsHolderIsTakenOnceAndItsAnswerRingsTheAsker() throws Exception {
        // Polls far longer than the test: only the notifications can ring within it.
        try (PostgresPeerStore a = open(PostgresBroker.of("broker-a", "host-a").withPoll(LONG_POLL));
                PostgresPeerStore b =
                        open(PostgresBroker.of("broker-b", "host-b").withPoll(LONG_POLL))) {
            Peer alice = insert(a, peer("alice001").name("alice").build());
            Peer bob = insert(b, peer("bob00001").name("bob").build());
            Semaphore ringsA = bell(a);
            Semaphore ringsB = bell(b);

            long id = a.inTransaction(tx -> tx.insertKillRequest(alice.id(), 1000, "ana", bob.id(), "broker-b"));
            assertTrue(ringsB.tryAcquire(10, TimeUnit.SECONDS), "the request rings its holder");
            assertFalse(a.read(StoreTransaction::hasKillRequests), "not a's to take");
            assertTrue(b.read(StoreTransaction::hasKillRequests));
            assertEquals(List.of(), a.inTransaction(tx -> tx.takeKillRequests(BOUND)));

            assertEquals(
                    List.of(new KillRequest(id, alice.id(), 1000, "ana", bob.id())),
                    b.inTransaction(tx -> tx.takeKillRequests(BOUND)));
            assertEquals(List.of(), b.inTransaction(tx -> tx.takeKillRequests(BOUND)), "taken once");
            assertFalse(b.read(StoreTransaction::hasKillRequests));
            assertFalse(voidIt(a, id), "taken: too late to void");
            assertEquals(Map.of(), a.read(tx -> tx.killOutcomes(List.of(id))), "no answer yet");

            ringsA.drainPermits();
            b.inTransaction(tx -> {
                tx.finishKillRequest(id, KillOutcome.refused(new KillRefusedException("bob's agent is init")));
                return null;
            });
            assertTrue(ringsA.tryAcquire(10, TimeUnit.SECONDS), "the answer rings the asker");
            assertEquals(
                    Map.of(id, new KillOutcome(false, ErrorCode.KILL_REFUSED, "bob's agent is init")),
                    a.read(tx -> tx.killOutcomes(List.of(id, id + 1))));
            assertThrows(
                    RuntimeException.class,
                    () -> b.inTransaction(tx -> {
                        tx.finishKillRequest(id, KillOutcome.carriedOut(true));
                        return null;
                    }),
                    "answered once");
        }
    }

    @Test
    void aRequestOlderThanTheBoundOrVoidedByItsAskerIsNeverHandedOut() {
        try (PostgresPeerStore a = open(PostgresBroker.of("broker-a", "host-a").withPoll(LONG_POLL));
                PostgresPeerStore b =
                        open(PostgresBroker.of("broker-b", "host-b").withPoll(LONG_POLL))) {
            Peer alice = insert(a, peer("alice001").build());
            Peer bob = insert(b, peer("bob00001").build());

            long old = a.inTransaction(tx -> tx.insertKillRequest(alice.id(), 1000, "ana", bob.id(), "broker-b"));
            server.execute(schema, "UPDATE kill_requests SET created_at = created_at - 6000 WHERE id = " + old);
            long voided = a.inTransaction(tx -> tx.insertKillRequest(alice.id(), 1000, "ana", bob.id(), "broker-b"));
            assertTrue(voidIt(a, voided), "the asker gave up first");
            assertFalse(voidIt(a, voided), "once");

            assertEquals(List.of(), b.inTransaction(tx -> tx.takeKillRequests(BOUND)));
            assertEquals(
                    List.of("expired", "expired"),
                    server.strings(schema, "SELECT state FROM kill_requests ORDER BY id"));
            assertEquals(Map.of(), a.read(tx -> tx.killOutcomes(List.of(old, voided))));
        }
    }

    @Test
    void aLiveNameAnotherBrokerTookAMomentAgoIsNameTakenOnInsertAndRename() {
        try (PostgresPeerStore a = open(PostgresBroker.of("broker-a", "host-a"));
                PostgresPeerStore b = open(PostgresBroker.of("broker-b", "host-b"))) {
            insert(a, peer("alice001").name("alice").build());
            Peer bob = insert(b, peer("bob00001").name("bob").build());

            // As if b's check ran before a's commit: only the index stands between them.
            StoreConflictException inserted = assertThrows(
                    StoreConflictException.class,
                    () -> insert(b, peer("alice002").name("alice").build()));
            assertInstanceOf(NameTakenException.class, inserted.reported());
            assertTrue(inserted.reported().getMessage().contains("'alice'"), inserted.getMessage());

            StoreConflictException renamed = assertThrows(
                    StoreConflictException.class,
                    () -> b.inTransaction(tx -> {
                        tx.updatePeer(bob.withName("alice"));
                        return null;
                    }));
            assertInstanceOf(NameTakenException.class, renamed.reported());
            assertEquals(
                    List.of("bob"), server.strings(schema, "SELECT name FROM peers WHERE id = '" + bob.id() + "'"));

            // Another unique rule broken is a store failure as before, not a name taken.
            RuntimeException sameId = assertThrows(
                    RuntimeException.class,
                    () -> insert(b, peer(bob.id().value()).name("other").build()));
            assertFalse(sameId instanceof StoreConflictException, sameId.toString());
        }
    }

    // ---- helpers

    private static boolean voidIt(PostgresPeerStore store, long id) {
        return store.inTransaction(tx -> tx.voidKillRequest(id));
    }

    private static Peer insert(PostgresPeerStore store, Peer peer) {
        store.inTransaction(tx -> {
            tx.insertPeer(peer);
            return null;
        });
        return peer;
    }

    /** Listens, and waits for the first ring (at listening), so that later rings are commits'. */
    private static Semaphore bell(PostgresPeerStore store) throws InterruptedException {
        Semaphore rings = new Semaphore(0);
        store.onRemoteCommit(rings::release);
        assertTrue(rings.tryAcquire(10, TimeUnit.SECONDS), "the bell rings once it listens");
        rings.drainPermits();
        return rings;
    }

    private PostgresPeerStore open(PostgresBroker broker) {
        return PostgresPeerStore.open(server.url(schema), server.credentials(), broker);
    }
}
