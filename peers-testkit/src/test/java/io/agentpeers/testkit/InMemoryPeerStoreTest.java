package io.agentpeers.testkit;

import static io.agentpeers.testkit.StoreContractFixtures.T0;
import static io.agentpeers.testkit.StoreContractFixtures.at;
import static io.agentpeers.testkit.StoreContractFixtures.message;
import static io.agentpeers.testkit.StoreContractFixtures.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.store.memory.InMemoryPeerStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the in-memory store does beyond the port's contract: precision, misuse, faithfulness to SQLite, size. */
class InMemoryPeerStoreTest {
    private final InMemoryPeerStore store = new InMemoryPeerStore();
    private final Peer alice = peer("alice").name("alice").build();

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void idsStartAtOne() {
        store.inTransaction(tx -> {
            tx.insertPeer(alice);
            return null;
        });
        assertEquals(
                1,
                store.inTransaction(tx -> tx.insertMessage(message(alice, alice, "first", at(1))))
                        .id());
        assertEquals(
                2,
                store.inTransaction(tx -> tx.insertMessage(message(alice, alice, "second", at(2))))
                        .id());
    }

    @Test
    void instantsLoseTheirSubMillisecondPartOnTheWayIn() {
        Instant fine = T0.plusNanos(123_456);
        Instant millis = T0;
        Peer p = peer("fine")
                .registeredAt(fine)
                .lastSeen(fine.plusNanos(1))
                .gone(fine, fine)
                .build();
        Message m = store.inTransaction(tx -> {
            tx.insertPeer(p);
            Message inserted = tx.insertMessage(message(p, p, "fine", fine));
            tx.markRead(p.id(), List.of(inserted.id()), fine);
            return inserted;
        });
        assertEquals(millis, m.sentAt(), "the returned message carries the stored instant");
        Peer stored = store.read(tx -> tx.findPeer(p.id())).orElseThrow();
        assertEquals(peer("fine").registeredAt(millis).gone(millis, millis).build(), stored);
        Message read = store.read(tx -> tx.findMessage(m.id())).orElseThrow();
        assertEquals(millis, read.deliveredAt());
        assertEquals(millis, read.readAt());
    }

    @Test
    void aMessageToAPeerThatIsNotStoredIsRefusedLikeAForeignKeyWould() {
        assertThrows(
                StoreException.class,
                () -> store.inTransaction(tx -> tx.insertMessage(message(alice, alice, "to nobody", at(1)))));
        assertEquals(new StoreCounts(0, 0, 0, 0, 0, 0), store.read(StoreTransaction::counts));
    }

    @Test
    void twoLivePeersCannotShareANameButAGoneOneKeepsItsOwn() {
        Peer gone = peer("gone").name("alice").gone(at(1)).build();
        store.inTransaction(tx -> {
            tx.insertPeer(gone);
            tx.insertPeer(alice);
            return null;
        });
        assertThrows(
                StoreException.class,
                () -> store.inTransaction(tx -> {
                    tx.insertPeer(peer("imposter").name("alice").build());
                    return null;
                }));
        assertThrows(
                StoreException.class,
                () -> store.inTransaction(tx -> {
                    tx.updatePeer(peer("gone").name("alice").build());
                    return null;
                }));
        assertEquals(Optional.of(gone), store.read(tx -> tx.findPeer(gone.id())));
    }

    @Test
    void aTransactionIsUsableOnlyInsideItsCallOnItsThread() throws Exception {
        AtomicReference<StoreTransaction> escaped = new AtomicReference<>();
        store.read(tx -> {
            escaped.set(tx);
            return null;
        });
        assertThrows(IllegalStateException.class, () -> escaped.get().livePeers());

        AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
        store.inTransaction(tx -> {
            Thread other = new Thread(() -> {
                try {
                    tx.livePeers();
                } catch (Throwable t) {
                    fromOtherThread.set(t);
                }
            });
            other.start();
            join(other);
            return null;
        });
        assertTrue(fromOtherThread.get() instanceof IllegalStateException, String.valueOf(fromOtherThread.get()));
    }

    @Test
    void misuseFailsFastInsteadOfDeadlockingOrSeeingUncommittedWrites() {
        assertThrows(
                IllegalStateException.class,
                () -> store.read(tx -> {
                    tx.insertPeer(alice);
                    return null;
                }),
                "read() hands out a read-only transaction");
        assertThrows(
                IllegalStateException.class,
                () -> store.inTransaction(tx -> store.inTransaction(inner -> null)),
                "transactions do not nest");
        assertThrows(
                IllegalStateException.class,
                () -> store.inTransaction(tx -> store.read(inner -> null)),
                "a read inside a write");
        assertThrows(
                IllegalStateException.class,
                () -> store.read(tx -> store.inTransaction(inner -> null)),
                "a write inside a read");
        assertThrows(
                IllegalStateException.class,
                () -> store.read(tx -> {
                    store.close();
                    return null;
                }),
                "close inside a read");
        assertEquals(Optional.empty(), store.read(tx -> tx.findPeer(alice.id())));
    }

    @Test
    void aSmallRollbackStaysCheapWithManyMessagesStored() {
        int stored = 100_000;
        int rollbacks = 1_000;
        store.inTransaction(tx -> {
            tx.insertPeer(alice);
            for (int i = 0; i < stored; i++) {
                tx.insertMessage(message(alice, alice, "m" + i, at(i)));
            }
            return null;
        });
        PeerId recipient = alice.id();
        for (int i = 0; i < rollbacks; i++) {
            int attempt = i;
            assertThrows(
                    IllegalStateException.class,
                    () -> store.inTransaction(tx -> {
                        Message m = tx.insertMessage(message(alice, alice, "rolled back " + attempt, at(0)));
                        tx.markDelivered(recipient, List.of(1L, m.id()), at(1));
                        tx.deleteGonePeers(at(1));
                        throw new IllegalStateException("roll back");
                    }));
        }
        assertEquals(new StoreCounts(1, 0, stored, 0, 0, 0), store.read(StoreTransaction::counts));
        assertEquals(
                List.of(MessageState.PENDING),
                store.read(tx -> tx.pendingMessages(recipient, 1)).stream()
                        .map(Message::state)
                        .collect(Collectors.toList()));
        Message next = store.inTransaction(tx -> tx.insertMessage(message(alice, alice, "next", at(1))));
        assertEquals(stored + 1, next.id(), "a rollback also gives back the ids it took");
        assertEquals(
                IntStream.rangeClosed(stored - 1, stored + 1)
                        .boxed()
                        .map(Integer::longValue)
                        .sorted((a, b) -> Long.compare(b, a))
                        .collect(Collectors.toList()),
                store.read(tx -> tx.history(recipient, null, 3)).stream()
                        .map(Message::id)
                        .collect(Collectors.toList()));
    }

    private static void join(Thread thread) {
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (thread.isAlive()) {
            throw new AssertionError("thread did not end");
        }
    }
}
