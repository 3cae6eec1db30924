package io.agentpeers.store.sqlite;

import static io.agentpeers.store.sqlite.Fixtures.T0;
import static io.agentpeers.store.sqlite.Fixtures.livePeer;
import static io.agentpeers.store.sqlite.Fixtures.message;
import static io.agentpeers.store.sqlite.Fixtures.unverifiedPeer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePeerStoreTest {
    @TempDir
    Path dir;

    @Test
    void createsFoldersAndFilePrivately() throws Exception {
        Path file = dir.resolve("a/b/peers.db");
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            store.inTransaction(tx -> {
                tx.insertPeer(livePeer("x", "/w", T0));
                return null;
            });
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))));
            Path wal = dir.resolve("a/b/peers.db-wal");
            assertTrue(Files.exists(wal), "WAL journal in use");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)));
        }
    }

    @Test
    void peerRoundTripsWithEveryFieldAndWithNulls() {
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("peers.db"))) {
            Peer full = livePeer("alpha", "/w", T0);
            Peer bare = unverifiedPeer("/w", T0.plusMillis(1));
            store.inTransaction(tx -> {
                tx.insertPeer(full);
                tx.insertPeer(bare);
                return null;
            });
            assertEquals(full, store.read(tx -> tx.findPeer(full.id())).orElseThrow());
            assertEquals(bare, store.read(tx -> tx.findPeer(bare.id())).orElseThrow());
            assertEquals(
                    full,
                    store.read(tx -> tx.findPeerByResumeSecretHash(full.resumeSecretHash()))
                            .orElseThrow());
            assertTrue(store.read(tx -> tx.findPeer(PeerId.random())).isEmpty());
        }
    }

    @Test
    void fileClosedAndReopenedLosesNothing() {
        Path file = dir.resolve("peers.db");
        Peer a = livePeer("a", "/w", T0);
        Peer b = livePeer("b", "/w", T0.plusSeconds(1));
        Message sent;
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            sent = store.inTransaction(tx -> {
                tx.insertPeer(a);
                tx.insertPeer(b);
                Message m = tx.insertMessage(message(a, b, "hello", T0.plusSeconds(2)));
                tx.markDelivered(b.id(), List.of(m.id()), T0.plusSeconds(3));
                return m;
            });
        }
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            assertEquals(List.of(a, b), store.read(StoreTransaction::livePeers));
            Message found = store.read(tx -> tx.findMessage(sent.id())).orElseThrow();
            assertEquals(MessageState.DELIVERED, found.state());
            assertEquals(T0.plusSeconds(3), found.deliveredAt());
            assertEquals("hello", found.text());
            assertEquals(new StoreCounts(2, 0, 0, 1, 0, 0), store.read(StoreTransaction::counts));
        }
    }

    @Test
    void messageIdsKeepGrowingAfterTheNewestIsPruned() {
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("peers.db"))) {
            Peer a = livePeer("a", "/w", T0);
            long first = store.inTransaction(tx -> {
                tx.insertPeer(a);
                Message m = tx.insertMessage(message(a, a, "to myself", T0));
                tx.markRead(a.id(), List.of(m.id()), T0);
                assertEquals(1, tx.deleteFinishedMessages(T0.plusSeconds(1)));
                return m.id();
            });
            long second = store.inTransaction(
                    tx -> tx.insertMessage(message(a, a, "again", T0)).id());
            assertTrue(second > first, second + " > " + first);
        }
    }

    @Test
    void messageStatesFollowTheRules() {
        try (SqlitePeerStore store = SqlitePeerStore.openInMemory()) {
            Peer a = livePeer("a", "/w", T0);
            Peer b = livePeer("b", "/w", T0);
            List<Long> ids = store.inTransaction(tx -> {
                tx.insertPeer(a);
                tx.insertPeer(b);
                return LongStream.range(0, 4)
                        .mapToObj(i -> tx.insertMessage(message(a, b, "m" + i, T0.plusSeconds(i)))
                                .id())
                        .toList();
            });
            Instant t1 = T0.plusSeconds(10);
            store.inTransaction(tx -> {
                assertEquals(1, tx.markDelivered(b.id(), List.of(ids.get(0), 999_999L), t1));
                assertEquals(0, tx.markDelivered(a.id(), List.of(ids.get(1)), t1), "not a's message");
                assertEquals(2, tx.markRead(b.id(), List.of(ids.get(0), ids.get(1)), t1.plusSeconds(1)));
                return null;
            });
            store.read(tx -> {
                assertEquals(
                        List.of(ids.get(2), ids.get(3)),
                        tx.pendingMessages(b.id(), 10).stream().map(Message::id).toList());
                assertEquals(
                        List.of(ids.get(2)),
                        tx.pendingMessages(b.id(), 1).stream().map(Message::id).toList());
                Message read = tx.findMessage(ids.get(1)).orElseThrow();
                assertEquals(MessageState.READ, read.state());
                assertEquals(t1.plusSeconds(1), read.deliveredAt(), "delivery time filled in when missing");
                assertEquals(t1, tx.findMessage(ids.get(0)).orElseThrow().deliveredAt());
                assertEquals(
                        List.of(ids.get(3), ids.get(2), ids.get(1), ids.get(0)),
                        tx.history(a.id(), b.id(), 10).stream().map(Message::id).toList());
                assertEquals(
                        List.of(ids.get(3), ids.get(2)),
                        tx.history(b.id(), null, 2).stream().map(Message::id).toList());
                return null;
            });
            store.inTransaction(tx -> {
                List<Message> was = tx.markUndeliverable(b.id());
                assertEquals(
                        List.of(ids.get(2), ids.get(3)),
                        was.stream().map(Message::id).toList());
                assertTrue(was.stream().allMatch(m -> m.state() == MessageState.PENDING));
                assertTrue(tx.pendingMessages(b.id(), 10).isEmpty());
                assertEquals(2, tx.revivePendingMessages(b.id()));
                assertEquals(2, tx.unreadMessages(b.id(), 10).size());
                return null;
            });
        }
    }

    @Test
    void brokerNoticesNeedNoSenderPeerButRecipientsMustExist() {
        try (SqlitePeerStore store = SqlitePeerStore.openInMemory()) {
            Peer a = livePeer("a", "/w", T0);
            Message notice = store.inTransaction(tx -> {
                tx.insertPeer(a);
                return tx.insertMessage(
                        new NewMessage(PeerId.BROKER, a.id(), "your message could not be delivered", null, T0));
            });
            assertEquals(
                    PeerId.BROKER,
                    store.read(tx -> tx.findMessage(notice.id())).orElseThrow().sender());
            assertThrows(
                    StoreException.class,
                    () -> store.inTransaction(
                            tx -> tx.insertMessage(new NewMessage(a.id(), PeerId.random(), "to nobody", null, T0))));
        }
    }

    @Test
    void deletingGonePeersTakesTheirMessagesAndSparesUnfinishedOnes() {
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("peers.db"))) {
            Peer sender = livePeer("s", "/w", T0);
            Peer idle = livePeer("idle", "/w", T0);
            Peer waiting = livePeer("waiting", "/w", T0);
            long readId = store.inTransaction(tx -> {
                tx.insertPeer(sender);
                tx.insertPeer(idle);
                tx.insertPeer(waiting);
                Message m = tx.insertMessage(message(sender, idle, "seen", T0));
                tx.markRead(idle.id(), List.of(m.id()), T0);
                tx.insertMessage(message(sender, waiting, "not yet", T0));
                tx.updatePeer(idle.gone(T0, T0.plus(Duration.ofDays(1))));
                tx.updatePeer(waiting.gone(T0, T0.plus(Duration.ofDays(1))));
                return m.id();
            });
            store.inTransaction(tx -> {
                assertEquals(List.of(waiting.id()), tx.gonePeersWithPendingMessages(T0.plusSeconds(1)));
                assertEquals(1, tx.deleteGonePeers(T0.plusSeconds(1)));
                assertTrue(tx.findPeer(idle.id()).isEmpty());
                assertTrue(tx.findMessage(readId).isEmpty(), "cascaded");
                assertTrue(tx.findPeer(waiting.id()).isPresent());
                return null;
            });
        }
    }

    @Test
    void twoLivePeersCannotShareANameButAGoneOneLeavesItsNameBehind() {
        try (SqlitePeerStore store = SqlitePeerStore.openInMemory()) {
            Peer first = livePeer("same", "/w", T0);
            store.inTransaction(tx -> {
                tx.insertPeer(first);
                return null;
            });
            assertThrows(
                    StoreException.class,
                    () -> store.inTransaction(tx -> {
                        tx.insertPeer(livePeer("same", "/w", T0));
                        return null;
                    }));
            Peer second = livePeer("same", "/w", T0.plusSeconds(5));
            store.inTransaction(tx -> {
                tx.updatePeer(first.gone(T0.plusSeconds(1), T0.plusSeconds(2)));
                tx.insertPeer(second);
                return null;
            });
            assertEquals(
                    List.of(second.id(), first.id()),
                    store.read(tx -> tx.findPeersByName("same")).stream()
                            .map(Peer::id)
                            .toList());
        }
    }

    @Test
    void workThatThrowsRollsBackAndItsExceptionComesOutUnchanged() {
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("peers.db"))) {
            Peer a = livePeer("a", "/w", T0);
            IllegalStateException thrown = new IllegalStateException("boom");
            IllegalStateException caught = assertThrows(
                    IllegalStateException.class,
                    () -> store.inTransaction(tx -> {
                        tx.insertPeer(a);
                        throw thrown;
                    }));
            assertSame(thrown, caught);
            assertTrue(store.read(tx -> tx.findPeer(a.id())).isEmpty());
            assertTrue(store.inTransaction(tx -> tx.findPeer(a.id())).isEmpty());
        }
    }

    @Test
    void readsRefuseToWrite() {
        for (SqlitePeerStore store :
                List.of(SqlitePeerStore.open(dir.resolve("peers.db")), SqlitePeerStore.openInMemory())) {
            try (store) {
                assertThrows(
                        StoreException.class,
                        () -> store.read(tx -> {
                            tx.insertPeer(livePeer("a", "/w", T0));
                            return null;
                        }),
                        store.toString());
                store.inTransaction(tx -> {
                    tx.insertPeer(livePeer("b", "/w", T0));
                    return null;
                });
                assertEquals(1, store.read(StoreTransaction::livePeers).size(), store.toString());
            }
        }
    }

    @Test
    void aStatementThatFailedIsPreparedAgainAtItsNextUse() {
        // sqlite-jdbc closes a statement that met most errors; the kept one must not fail every later send.
        for (SqlitePeerStore store :
                List.of(SqlitePeerStore.open(dir.resolve("peers.db")), SqlitePeerStore.openInMemory())) {
            try (store) {
                Peer a = livePeer("a", "/w", T0);
                Peer b = livePeer("b", "/w", T0);
                store.inTransaction(tx -> {
                    tx.insertPeer(a);
                    tx.insertPeer(b);
                    return null;
                });
                NewMessage hello = new NewMessage(a.id(), b.id(), "hello", null, T0);
                for (int i = 0; i < 2; i++) {
                    StoreException refused = assertThrows(
                            StoreException.class, () -> store.read(tx -> tx.insertMessage(hello)), store.toString());
                    assertFalse(refused.getMessage().contains("not executing"), refused.getMessage());
                }
                store.inTransaction(tx -> tx.insertMessage(hello));
                store.inTransaction(tx -> tx.insertMessage(hello));
                int pending = store.read(tx -> tx.countPendingMessages(b.id()));
                assertEquals(2, pending, store.toString());
            }
        }
    }

    @Test
    void aTransactionIsUnusableAfterItsCallReturned() {
        try (SqlitePeerStore store = SqlitePeerStore.openInMemory()) {
            StoreTransaction leaked = store.inTransaction(tx -> tx);
            assertThrows(IllegalStateException.class, leaked::livePeers);
        }
    }

    @Test
    void readsRunWhileAWriteIsOpenAndSeeOnlyCommittedState() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("peers.db"))) {
            Peer a = livePeer("a", "/w", T0);
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> writer = pool.submit(() -> store.inTransaction(tx -> {
                tx.insertPeer(a);
                written.countDown();
                try {
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            }));
            assertTrue(written.await(30, TimeUnit.SECONDS));
            // The writer holds its transaction open while this read runs to its end.
            assertTrue(store.read(tx -> tx.findPeer(a.id())).isEmpty());
            release.countDown();
            writer.get(30, TimeUnit.SECONDS);
            assertTrue(store.read(tx -> tx.findPeer(a.id())).isPresent());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() {
        SqlitePeerStore store = SqlitePeerStore.open(dir.resolve("peers.db"));
        store.read(StoreTransaction::counts);
        store.close();
        store.close();
        assertThrows(StoreException.class, () -> store.read(StoreTransaction::counts));
        assertThrows(StoreException.class, () -> store.inTransaction(StoreTransaction::counts));
        SqlitePeerStore memory = SqlitePeerStore.openInMemory();
        memory.close();
        memory.close();
        assertThrows(StoreException.class, () -> memory.read(StoreTransaction::counts));
    }

    @Test
    void inMemoryStoresArePrivate() {
        try (SqlitePeerStore one = SqlitePeerStore.openInMemory();
                SqlitePeerStore two = SqlitePeerStore.openInMemory()) {
            one.inTransaction(tx -> {
                tx.insertPeer(livePeer("a", "/w", T0));
                return null;
            });
            assertEquals(1, one.read(StoreTransaction::livePeers).size());
            assertEquals(0, two.read(StoreTransaction::livePeers).size());
        }
    }

    @Test
    void livePeersInOrderAndGonePeersByAgent() {
        try (SqlitePeerStore store = SqlitePeerStore.openInMemory()) {
            Peer early = livePeer("early", "/w/x", T0);
            Peer late = livePeer("late", "/w/y", T0.plusSeconds(1));
            Peer other = unverifiedPeer("/w/x", T0.plusSeconds(2));
            store.inTransaction(tx -> {
                tx.insertPeer(late);
                tx.insertPeer(other);
                tx.insertPeer(early);
                return null;
            });
            store.read(tx -> {
                assertEquals(List.of(early, late, other), tx.livePeers());
                assertTrue(
                        tx.findGonePeerByAgent(4241, 666, early.clientType(), "/w/x")
                                .isEmpty(),
                        "still live");
                return null;
            });
            Instant gone = T0.plusSeconds(9);
            int marked = store.inTransaction(tx -> tx.markAllLivePeersGone(gone, gone.plusSeconds(60)));
            assertEquals(3, marked);
            store.read(tx -> {
                assertTrue(tx.livePeers().isEmpty());
                Peer found = tx.findGonePeerByAgent(4241, 666, early.clientType(), "/w/x")
                        .orElseThrow();
                assertEquals(early.id(), found.id());
                assertEquals(gone, found.goneAt());
                assertEquals(gone.plusSeconds(60), found.nameReservedUntil());
                assertFalse(found.live());
                assertNull(tx.findPeer(other.id()).orElseThrow().agent());
                return null;
            });
        }
    }

    @Test
    void updatingAMissingPeerFails() {
        try (SqlitePeerStore store = SqlitePeerStore.openInMemory()) {
            AtomicReference<Peer> peer = new AtomicReference<>(livePeer("a", "/w", T0));
            assertThrows(
                    StoreException.class,
                    () -> store.inTransaction(tx -> {
                        tx.updatePeer(peer.get());
                        return null;
                    }));
        }
    }

    @Test
    void unreadMixesPendingAndDeliveredInIdOrderAndHistoryListsASelfMessageOnce() {
        try (SqlitePeerStore store = SqlitePeerStore.openInMemory()) {
            Peer a = livePeer("a", "/w", T0);
            Peer b = livePeer("b", "/w", T0);
            List<Long> ids = store.inTransaction(tx -> {
                tx.insertPeer(a);
                tx.insertPeer(b);
                List<Long> made = LongStream.range(0, 6)
                        .mapToObj(i ->
                                tx.insertMessage(message(a, b, "m" + i, T0)).id())
                        .toList();
                tx.markDelivered(b.id(), List.of(made.get(1), made.get(3)), T0);
                tx.markRead(b.id(), List.of(made.get(4)), T0);
                return made;
            });
            long self = store.inTransaction(
                    tx -> tx.insertMessage(message(b, b, "note to self", T0)).id());
            store.read(tx -> {
                assertEquals(
                        List.of(ids.get(0), ids.get(1), ids.get(2), ids.get(3), ids.get(5), self),
                        tx.unreadMessages(b.id(), 10).stream().map(Message::id).toList());
                assertEquals(
                        List.of(ids.get(0), ids.get(1), ids.get(2)),
                        tx.unreadMessages(b.id(), 3).stream().map(Message::id).toList());
                assertEquals(
                        List.of(self, ids.get(5), ids.get(4)),
                        tx.history(b.id(), null, 3).stream().map(Message::id).toList());
                assertEquals(7, tx.history(b.id(), null, 100).size());
                assertEquals(
                        List.of(self),
                        tx.history(b.id(), b.id(), 100).stream()
                                .map(Message::id)
                                .toList());
                return null;
            });
        }
    }
}
