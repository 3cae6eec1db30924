package io.agentpeers.testkit;

import static io.agentpeers.testkit.StoreContractFixtures.T0;
import static io.agentpeers.testkit.StoreContractFixtures.at;
import static io.agentpeers.testkit.StoreContractFixtures.message;
import static io.agentpeers.testkit.StoreContractFixtures.peer;
import static io.agentpeers.testkit.StoreContractFixtures.reply;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.core.port.UnreadSummary;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of the {@link PeerStore} port, which every store runs by extending this class.
 *
 * <p>A subclass provides {@link #openStore()}, called once before each test for a fresh, empty store
 * (a file store puts its file in {@link #tempDir}). A durable store also overrides
 * {@link #survivesReopen()} to return true and {@link #reopenStore()} to open the same data again:
 * the test closes the first store itself before it calls {@link #reopenStore()}. Whatever store is in
 * {@link #store} when a test ends is closed.
 *
 * <p>Stores keep instants at millisecond precision; every instant this suite stores is whole
 * milliseconds. "Before" in the cut-off arguments is strict: an instant equal to the cut-off is not
 * before it. Waits between threads are bounded ({@value #WAIT_SECONDS} s), and no test asserts how
 * long anything took.
 */
public abstract class AbstractPeerStoreContractTest implements CoordinationStoreContract {
    protected static final long WAIT_SECONDS = 30;

    /** A fresh folder per test, for stores that live in files. */
    @TempDir
    protected Path tempDir;

    /** The store under test; replaced by the reopened one in the reopen test. */
    protected PeerStore store;

    /** A new, empty store; called before each test. */
    protected abstract PeerStore openStore();

    /** Whether what a store committed is there again after {@link #reopenStore()}; false unless overridden. */
    protected boolean survivesReopen() {
        return false;
    }

    /**
     * Opens again the data of the store that {@link #openStore()} made in this test, which the test has
     * already closed. Only called when {@link #survivesReopen()} is true.
     */
    protected PeerStore reopenStore() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not survive a reopen");
    }

    @Override
    public PeerStore storeUnderTest() {
        return store;
    }

    @Override
    public boolean durable() {
        return survivesReopen();
    }

    @Override
    public PeerStore reopenedStore() {
        store.close();
        store = reopenStore();
        return store;
    }

    @BeforeEach
    void openTheStore() {
        store = openStore();
    }

    @AfterEach
    void closeTheStore() {
        if (store != null) {
            store.close();
        }
    }

    // ================================================================ helpers

    protected void write(Consumer<StoreTransaction> work) {
        store.inTransaction(tx -> {
            work.accept(tx);
            return null;
        });
    }

    protected void insert(Peer... peers) {
        write(tx -> Arrays.stream(peers).forEach(tx::insertPeer));
    }

    protected Message send(NewMessage message) {
        return store.inTransaction(tx -> tx.insertMessage(message));
    }

    protected Message send(Peer from, Peer to, String text, Instant sentAt) {
        return send(message(from, to, text, sentAt));
    }

    protected Optional<Peer> findPeer(Peer peer) {
        return store.read(tx -> tx.findPeer(peer.id()));
    }

    protected Message find(Message message) {
        return store.read(tx -> tx.findMessage(message.id()))
                .orElseThrow(() -> new AssertionError("message " + message.id() + " is gone"));
    }

    protected StoreCounts counts() {
        return store.read(StoreTransaction::counts);
    }

    private int markDelivered(Peer recipient, Instant at, Message... messages) {
        return store.inTransaction(tx -> tx.markDelivered(recipient.id(), ids(messages), at));
    }

    private int markRead(Peer recipient, Instant at, Message... messages) {
        return store.inTransaction(tx -> tx.markRead(recipient.id(), ids(messages), at));
    }

    private static List<Long> ids(Message... messages) {
        return Arrays.stream(messages).map(Message::id).collect(Collectors.toList());
    }

    private static List<Long> idsOf(List<Message> messages) {
        return messages.stream().map(Message::id).collect(Collectors.toList());
    }

    private static List<PeerId> peerIds(List<Peer> peers) {
        return peers.stream().map(Peer::id).collect(Collectors.toList());
    }

    private static Message as(Message m, MessageState state, Instant deliveredAt, Instant readAt) {
        return new Message(
                m.id(), m.sender(), m.recipient(), m.text(), m.replyTo(), m.sentAt(), deliveredAt, readAt, state);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_SECONDS, SECONDS)) {
                throw new AssertionError("gave up waiting after " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits briefly for {@code future}, so that it may run now; not finishing is fine too. */
    private static void letRun(Future<?> future) throws Exception {
        try {
            future.get(200, MILLISECONDS);
        } catch (TimeoutException stillWaiting) {
            // A store whose reads or writes wait for the open transaction: also right.
        }
    }

    private static void stop(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(WAIT_SECONDS, SECONDS)) {
            throw new AssertionError("worker threads did not end");
        }
    }

    // ================================================================ transactions

    @Test
    void aTransactionReturnsWhatItsWorkReturnsAndSeesItsOwnWrites() {
        Peer a = peer("alpha").build();
        Optional<Peer> seenInside = store.inTransaction(tx -> {
            tx.insertPeer(a);
            return tx.findPeer(a.id());
        });
        assertEquals(Optional.of(a), seenInside);
        assertEquals(Optional.of(a), findPeer(a));
        assertEquals("result", store.read(tx -> "result"));

        Message m = store.inTransaction(tx -> {
            Message inserted = tx.insertMessage(message(a, a, "note to self", at(1)));
            assertEquals(Optional.of(inserted), tx.findMessage(inserted.id()));
            assertEquals(List.of(inserted), tx.pendingMessages(a.id(), 10));
            return inserted;
        });
        assertEquals(m, find(m));
    }

    @Test
    void aStoreOfOneBrokerHoldsEveryPeerItselfAndHasNoMailOfOtherBrokers() {
        Peer a = peer("a1").registeredAt(at(0)).build();
        Peer b = peer("b1").registeredAt(at(1)).build();
        Peer gone = peer("g1").gone(at(5)).build();
        insert(a, b, gone);
        send(a, b, "one", at(2));
        assertEquals(List.of(a, b), store.read(StoreTransaction::livePeers));
        assertEquals(List.of(), store.read(StoreTransaction::remotePeers), "no other broker holds a peer");
        assertEquals(List.of(), store.read(tx -> tx.remoteMail(0, 10)), "every message is this broker's own");
        assertTrue(store.read(tx -> tx.findPeer(a.id())).orElseThrow().heldHere());
        assertEquals(2, (int) store.inTransaction(tx -> tx.markAllLivePeersGone(at(9), at(10))), "both its own");
    }

    @Test
    void anExceptionFromTheWorkPropagatesUnchangedAndLeavesNothingBehind() {
        Peer a = peer("a1").registeredAt(at(0)).build();
        Peer b = peer("b1").registeredAt(at(1)).name("bee").build();
        Peer gone = peer("g1").gone(at(5)).build();
        Peer goneWithMail = peer("g2").gone(at(5)).build();
        insert(a, b, gone, goneWithMail);
        Message m1 = send(a, b, "one", at(2));
        Message m2 = send(b, a, "two", at(3));
        Message m3 = send(a, goneWithMail, "three", at(4));
        Message m4 = send(a, b, "four", at(4));
        markRead(goneWithMail, at(6), m3);
        markDelivered(b, at(6), m4);
        List<PeerId> peerIds = List.of(a.id(), b.id(), gone.id(), goneWithMail.id(), new PeerId("c1"));
        List<Object> before = snapshot(peerIds, List.of(m1.id(), m2.id(), m3.id(), m4.id(), m4.id() + 1));

        RuntimeException boom = new IllegalStateException("boom");
        AtomicLong insertedId = new AtomicLong();
        RuntimeException thrown = assertThrows(
                RuntimeException.class,
                () -> store.inTransaction(tx -> {
                    tx.insertPeer(peer("c1").build());
                    tx.updatePeer(a.withSummary("changed", at(7)));
                    insertedId.set(
                            tx.insertMessage(message(a, b, "five", at(7))).id());
                    tx.markDelivered(b.id(), List.of(m1.id()), at(8));
                    tx.markRead(a.id(), List.of(m2.id()), at(8));
                    tx.markRead(b.id(), List.of(m4.id()), at(8));
                    tx.markUndeliverable(b.id());
                    tx.revivePendingMessages(b.id());
                    tx.markUndeliverable(a.id());
                    tx.deleteFinishedMessages(at(1_000));
                    tx.markAllLivePeersGone(at(9), at(99));
                    tx.deleteGonePeers(at(1_000));
                    assertTrue(tx.findPeer(a.id()).isEmpty(), "the work's own deletes are visible to it");
                    throw boom;
                }));

        assertSame(boom, thrown);
        assertEquals(m4.id() + 1, insertedId.get(), "the work inserted a message before it threw");
        assertEquals(before, snapshot(peerIds, List.of(m1.id(), m2.id(), m3.id(), m4.id(), insertedId.get())));

        // The store goes on working normally afterwards.
        insert(peer("c1").build());
        Message next = send(a, b, "after", at(10));
        assertTrue(next.id() > m4.id());
        assertEquals(next, find(next));
    }

    /** Everything a store can say about these rows, as comparable values. */
    private List<Object> snapshot(List<PeerId> peerIds, List<Long> messageIds) {
        return store.read(tx -> {
            List<Object> state = new ArrayList<>();
            peerIds.forEach(id -> state.add(tx.findPeer(id)));
            peerIds.forEach(id -> state.add(tx.pendingMessages(id, 100)));
            peerIds.forEach(id -> state.add(tx.unreadMessages(id, 100)));
            peerIds.forEach(id -> state.add(tx.history(id, null, 100)));
            messageIds.forEach(id -> state.add(tx.findMessage(id)));
            state.add(tx.livePeers());
            state.add(tx.findPeersByName("bee"));
            state.add(tx.counts());
            return state;
        });
    }

    @Test
    void aFailedStatementThatTheWorkLetsThroughRollsBackItsEarlierWrites() {
        Peer a = peer("a1").build();
        insert(a);
        Peer fresh = peer("f1").build();
        assertThrows(
                StoreException.class,
                () -> write(tx -> {
                    tx.insertPeer(fresh);
                    tx.insertMessage(message(a, fresh, "hello", at(1)));
                    tx.insertPeer(
                            peer("a1").summary("a second peer with a taken id").build());
                }));
        assertEquals(Optional.empty(), findPeer(fresh));
        assertEquals(Optional.of(a), findPeer(a));
        assertEquals(new StoreCounts(1, 0, 0, 0, 0, 0), counts());
    }

    @Test
    void aTransactionsWritesAreInvisibleToReadsUntilItCommits() throws Exception {
        Peer p = peer("p1").build();
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicBoolean workDone = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> writer = pool.submit(() -> write(tx -> {
                tx.insertPeer(p);
                tx.insertMessage(message(p, p, "to self", at(1)));
                written.countDown();
                await(proceed);
                workDone.set(true);
            }));
            await(written);
            Future<Boolean> reader = pool.submit(() -> store.read(tx -> {
                boolean workDoneBefore = workDone.get();
                boolean seen = tx.findPeer(p.id()).isPresent() || tx.counts().messages() > 0;
                return !seen || workDoneBefore;
            }));
            letRun(reader);
            proceed.countDown();
            assertTrue(reader.get(WAIT_SECONDS, SECONDS), "a read saw writes of a transaction still running");
            writer.get(WAIT_SECONDS, SECONDS);
            assertEquals(Optional.of(p), findPeer(p));
            assertEquals(1, counts().pending());
        } finally {
            proceed.countDown();
            stop(pool);
        }
    }

    @Test
    void writesOfATransactionThatThrowsAreNeverVisible() throws Exception {
        Peer p = peer("p1").build();
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> writer = pool.submit(() -> write(tx -> {
                tx.insertPeer(p);
                written.countDown();
                await(proceed);
                throw new IllegalStateException("changed my mind");
            }));
            await(written);
            Future<Boolean> reader =
                    pool.submit(() -> store.read(tx -> tx.findPeer(p.id()).isPresent()));
            letRun(reader);
            proceed.countDown();
            assertFalse(reader.get(WAIT_SECONDS, SECONDS), "a read saw a write that was later rolled back");
            Exception failure = assertThrows(Exception.class, () -> writer.get(WAIT_SECONDS, SECONDS));
            assertEquals("changed my mind", failure.getCause().getMessage());
            assertEquals(Optional.empty(), findPeer(p));
        } finally {
            proceed.countDown();
            stop(pool);
        }
    }

    @Test
    void writeTransactionsAreSerialised() throws Exception {
        Peer first = peer("first").build();
        Peer second = peer("second").build();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicBoolean firstInside = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> one = pool.submit(() -> write(tx -> {
                firstInside.set(true);
                entered.countDown();
                await(proceed);
                tx.insertPeer(first);
                firstInside.set(false);
            }));
            await(entered);
            Future<List<Boolean>> two = pool.submit(() -> store.inTransaction(tx -> {
                boolean overlapped = firstInside.get();
                boolean sawFirst = tx.findPeer(first.id()).isPresent();
                tx.insertPeer(second);
                return List.of(overlapped, sawFirst);
            }));
            letRun(two);
            proceed.countDown();
            one.get(WAIT_SECONDS, SECONDS);
            List<Boolean> seen = two.get(WAIT_SECONDS, SECONDS);
            assertFalse(seen.get(0), "a write transaction ran while another was open");
            assertTrue(seen.get(1), "the later write transaction did not see the earlier one's commit");
            assertEquals(2, counts().livePeers());
        } finally {
            proceed.countDown();
            stop(pool);
        }
    }

    @Test
    void concurrentWritersLoseAndDuplicateNothing() throws Exception {
        int threads = 8;
        int singles = 250;
        int batches = 5;
        int batchSize = 10;
        Peer sender = peer("sender").build();
        List<Peer> recipients = IntStream.range(0, threads)
                .mapToObj(t -> peer("r" + t).registeredAt(at(t)).build())
                .collect(Collectors.toList());
        insert(sender);
        recipients.forEach(this::insert);

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Message>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Peer to = recipients.get(t);
                futures.add(pool.submit(() -> {
                    await(start);
                    List<Message> sent = new ArrayList<>();
                    for (int i = 0; i < singles; i++) {
                        sent.add(send(sender, to, to.id() + "-" + i, at(i)));
                        if (i % (singles / batches) == 0) {
                            int from = i;
                            sent.addAll(store.inTransaction(tx -> IntStream.range(0, batchSize)
                                    .mapToObj(k -> tx.insertMessage(
                                            message(sender, to, to.id() + "-" + from + "." + k, at(from))))
                                    .collect(Collectors.toList())));
                        }
                    }
                    return sent;
                }));
            }
            start.countDown();
            Set<Long> allIds = new HashSet<>();
            for (int t = 0; t < threads; t++) {
                List<Message> sent = futures.get(t).get(WAIT_SECONDS * 4, SECONDS);
                assertEquals(singles + batches * batchSize, sent.size());
                for (int i = 1; i < sent.size(); i++) {
                    assertTrue(sent.get(i).id() > sent.get(i - 1).id(), "ids of one writer must increase");
                }
                sent.forEach(m -> allIds.add(m.id()));
                PeerId to = recipients.get(t).id();
                assertEquals(
                        sent,
                        store.read(tx -> tx.pendingMessages(to, 10_000)),
                        "each recipient has exactly its writer's messages, oldest first");
            }
            int total = threads * (singles + batches * batchSize);
            assertEquals(total, allIds.size(), "ids are unique");
            assertEquals(new StoreCounts(threads + 1, 0, total, 0, 0, 0), counts());
        } finally {
            start.countDown();
            stop(pool);
        }
    }

    // ================================================================ peers

    @Test
    void aPeerWithEveryFieldSetRoundTrips() {
        Peer p = peer("full")
                .name("full-name")
                .connection(new ProcessRef(4_194_303, 1000, 123_456_789_012L))
                .agent(new ProcessRef(4_194_302, 1000, 123_456_789_000L))
                .cwd("/home/dev/full")
                .gitRoot("/home/dev/full")
                .repoKey("/home/dev/full/.git")
                .repoRemote("github.com/agentpeers/full")
                .tty("/dev/pts/17")
                .clientType(ClientType.CODEX)
                .summary("refactoring the parser")
                .registeredAt(at(1))
                .lastSeen(at(2))
                .gone(at(3), at(4))
                .resumeSecretHash("ab".repeat(32))
                .build();
        insert(p);
        assertEquals(Optional.of(p), findPeer(p));
    }

    @Test
    void aPeerWithEveryOptionalFieldNullRoundTrips() {
        Peer p = new Peer(
                new PeerId("bare"),
                null,
                null,
                null,
                "/tmp",
                null,
                null,
                null,
                null,
                ClientType.GENERIC,
                null,
                at(1),
                at(1),
                PeerState.LIVE,
                null,
                null,
                null);
        insert(p);
        Peer stored = findPeer(p).orElseThrow();
        assertEquals(p, stored);
        assertNull(stored.name());
        assertNull(stored.connection());
        assertNull(stored.agent());
        assertNull(stored.gitRoot());
        assertNull(stored.repoKey());
        assertNull(stored.repoRemote());
        assertNull(stored.tty());
        assertNull(stored.goneAt());
        assertNull(stored.nameReservedUntil());
        assertNull(stored.resumeSecretHash());
        assertEquals("", stored.summary());
    }

    @Test
    void extremeButValidValuesRoundTrip() {
        Peer longId = peer("z".repeat(64))
                .agent(new ProcessRef(Integer.MAX_VALUE + 10L, 0, Long.MAX_VALUE))
                .connection(new ProcessRef(1, 0, 0))
                .registeredAt(Instant.EPOCH)
                .lastSeen(Instant.EPOCH)
                .gone(Instant.EPOCH.plusMillis(1), Instant.parse("9999-12-31T23:59:59.999Z"))
                .build();
        Peer shortId = peer("x").clientType(ClientType.CLI).build();
        insert(longId, shortId);
        assertEquals(Optional.of(longId), findPeer(longId));
        assertEquals(Optional.of(shortId), findPeer(shortId));
    }

    @Test
    void instantsRoundTripAtMillisecondPrecision() {
        Peer p = peer("p1")
                .registeredAt(T0.plusMillis(1))
                .lastSeen(T0.plusMillis(999))
                .build();
        Peer g = peer("g1")
                .registeredAt(T0)
                .gone(T0.plusMillis(7), T0.plusMillis(86_400_001))
                .build();
        insert(p, g);
        Message m1 = send(p, p, "one", T0.plusMillis(3));
        Message m2 = send(p, p, "two", T0.plusMillis(4));
        markDelivered(p, T0.plusMillis(5), m1, m2);
        markRead(p, T0.plusMillis(6), m2);
        assertEquals(Optional.of(p), findPeer(p));
        assertEquals(Optional.of(g), findPeer(g));
        assertEquals(as(m1, MessageState.DELIVERED, T0.plusMillis(5), null), find(m1));
        assertEquals(as(m2, MessageState.READ, T0.plusMillis(5), T0.plusMillis(6)), find(m2));
        assertEquals(T0.plusMillis(3), find(m1).sentAt());
    }

    @Test
    void textRoundTripsExactly() {
        List<String> texts = List.of(
                "",
                "plain",
                "  leading and trailing spaces  ",
                "lines\nand\r\nreturns\rand\ttabs",
                "emoji 🚀👩🏽‍💻 and flags 🇯🇵",
                "日本語のテキスト、中文文本, 한국어",
                "e\u0301 combining, \u200b zero width, \uFEFF bom",
                "quotes ' \" ` and SQL '); DROP TABLE peers; -- and % _ \\ wildcards",
                "{\"json\": [1, 2, {\"nested\": null}]}",
                "🙂".repeat(16_384)); // 64 KiB of UTF-8
        Peer p = peer("p1")
                .name("emoji-fan")
                .cwd("/home/dev/プロジェクト with space")
                .tty("/dev/pts/0")
                .summary("working on 🚀 日本語\nsecond line")
                .build();
        insert(p);
        assertEquals(Optional.of(p), findPeer(p));
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            sent.add(send(p, p, texts.get(i), at(i)));
        }
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(texts.get(i), find(sent.get(i)).text());
        }
        assertEquals(
                texts,
                store.read(tx -> tx.pendingMessages(p.id(), 100)).stream()
                        .map(Message::text)
                        .collect(Collectors.toList()));
    }

    @Test
    void insertingAPeerWhoseIdIsTakenFails() {
        Peer original = peer("taken").summary("the first").build();
        insert(original);
        assertThrows(
                StoreException.class,
                () -> insert(peer("taken").summary("the second").build()));
        assertEquals(Optional.of(original), findPeer(original));
        assertEquals(1, counts().livePeers());
    }

    @Test
    void updateReplacesEveryField() {
        Peer before = peer("p1")
                .name("old-name")
                .cwd("/a")
                .tty("/dev/pts/1")
                .summary("old")
                .clientType(ClientType.CLAUDE_CODE)
                .registeredAt(at(1))
                .build();
        Peer after = peer("p1")
                .name(null)
                .unverified()
                .cwd("/b")
                .outsideRepo()
                .tty(null)
                .clientType(ClientType.GENERIC)
                .summary("new")
                .registeredAt(at(2))
                .lastSeen(at(3))
                .gone(at(4), at(5))
                .resumeSecretHash("cd".repeat(32))
                .build();
        insert(before);
        write(tx -> tx.updatePeer(after));
        assertEquals(Optional.of(after), findPeer(after));
        write(tx -> tx.updatePeer(before));
        assertEquals(Optional.of(before), findPeer(before));
        assertEquals(1, counts().livePeers());
    }

    @Test
    void updatingAPeerThatIsNotStoredFails() {
        Peer ghost = peer("ghost").build();
        assertThrows(StoreException.class, () -> write(tx -> tx.updatePeer(ghost)));
        assertEquals(Optional.empty(), findPeer(ghost));
    }

    @Test
    void unknownIdsFindNothing() {
        Peer p = peer("p1").name("known").resumeSecretHash("ef".repeat(32)).build();
        insert(p);
        send(p, p, "hello", at(1));
        PeerId nobody = new PeerId("nobody");
        store.read(tx -> {
            assertEquals(Optional.empty(), tx.findPeer(nobody));
            assertEquals(Optional.empty(), tx.findMessage(987_654_321L));
            assertEquals(List.of(), tx.findPeersByName("unknown"));
            assertEquals(Optional.empty(), tx.findPeerByResumeSecretHash("00".repeat(32)));
            assertEquals(List.of(), tx.pendingMessages(nobody, 10));
            assertEquals(List.of(), tx.unreadMessages(nobody, 10));
            assertEquals(List.of(), tx.history(nobody, null, 10));
            assertEquals(List.of(), tx.history(p.id(), nobody, 10));
            return null;
        });
        assertEquals(0, (int) store.inTransaction(tx -> tx.markDelivered(nobody, List.of(1L), at(2))));
        assertEquals(0, (int) store.inTransaction(tx -> tx.revivePendingMessages(nobody)));
        assertEquals(List.of(), store.inTransaction(tx -> tx.markUndeliverable(nobody)));
    }

    @Test
    void findPeersByNameReturnsLiveAndGonePeersNewestRegistrationFirst() {
        Peer oldest = peer("old1").name("rex").registeredAt(at(0)).gone(at(5)).build();
        Peer newest = peer("new1").name("rex").registeredAt(at(20)).build();
        Peer middle = peer("mid1").name("rex").registeredAt(at(10)).gone(at(15)).build();
        Peer other = peer("oth1").name("max").registeredAt(at(30)).build();
        Peer unnamed = peer("non1").registeredAt(at(40)).build();
        insert(middle, other, newest, unnamed, oldest);
        assertEquals(List.of(newest, middle, oldest), store.read(tx -> tx.findPeersByName("rex")));
        assertEquals(List.of(other), store.read(tx -> tx.findPeersByName("max")));
        assertEquals(List.of(), store.read(tx -> tx.findPeersByName("re")));
    }

    @Test
    void findPeerByResumeSecretHashFindsTheOneWithThatHash() {
        Peer a = peer("a1").resumeSecretHash("0a".repeat(32)).build();
        Peer b = peer("b1").resumeSecretHash("0b".repeat(32)).gone(at(3)).build();
        Peer none = peer("c1").build();
        insert(a, b, none);
        assertEquals(Optional.of(a), store.read(tx -> tx.findPeerByResumeSecretHash("0a".repeat(32))));
        assertEquals(Optional.of(b), store.read(tx -> tx.findPeerByResumeSecretHash("0b".repeat(32))));
        assertEquals(Optional.empty(), store.read(tx -> tx.findPeerByResumeSecretHash("0c".repeat(32))));
    }

    @Test
    void findPeerByResumeSecretHashAlsoMatchesThePreviousSecret() {
        Peer a = peer("a2")
                .resumeSecretHash("1a".repeat(32))
                .previousSecretHash("2a".repeat(32))
                .gone(at(3))
                .build();
        insert(a);
        assertEquals(Optional.of(a), store.read(tx -> tx.findPeerByResumeSecretHash("1a".repeat(32))));
        assertEquals(Optional.of(a), store.read(tx -> tx.findPeerByResumeSecretHash("2a".repeat(32))));
        assertEquals(a, store.read(tx -> tx.findPeer(a.id())).orElseThrow(), "both hashes round-trip");
    }

    @Test
    void findGonePeerBySessionMatchesKeyClientTypeAndUidPreferringTheMostRecentlyGone() {
        String key = "48767bb0-ac19-432d-8288-fcf965c74c02";
        Peer newer =
                peer("snew").sessionKey(key).registeredAt(at(0)).gone(at(20)).build();
        Peer older =
                peer("sold").sessionKey(key).registeredAt(at(1)).gone(at(10)).build();
        Peer live = peer("slive").sessionKey(key).registeredAt(at(30)).build();
        Peer otherType = peer("stype")
                .sessionKey(key)
                .clientType(ClientType.CODEX)
                .gone(at(30))
                .build();
        Peer otherUid = peer("suid")
                .sessionKey(key)
                .connection(new ProcessRef(4242, 1001, 99))
                .gone(at(30))
                .build();
        Peer otherKey = peer("skey").sessionKey("another-session").gone(at(30)).build();
        insert(newer, older, live, otherType, otherUid, otherKey);
        store.read(tx -> {
            assertEquals(Optional.of(newer), tx.findGonePeerBySession(1000, ClientType.CLAUDE_CODE, key));
            assertEquals(Optional.of(otherType), tx.findGonePeerBySession(1000, ClientType.CODEX, key));
            assertEquals(Optional.of(otherUid), tx.findGonePeerBySession(1001, ClientType.CLAUDE_CODE, key));
            assertEquals(Optional.empty(), tx.findGonePeerBySession(1000, ClientType.GENERIC, key));
            assertEquals(Optional.empty(), tx.findGonePeerBySession(1000, ClientType.CLAUDE_CODE, "no-such-key"));
            return null;
        });
    }

    @Test
    void moveMessagesGivesEverySentAndReceivedMessageToTheOtherPeer() {
        Peer from = peer("mfrom").gone(at(1)).build();
        Peer to = peer("mto").build();
        Peer third = peer("mthird").build();
        insert(from, to, third);
        long[] ids = new long[3];
        write(tx -> {
            ids[0] = tx.insertMessage(message(third, from, "to the old one", at(2)))
                    .id();
            ids[1] = tx.insertMessage(message(from, third, "from the old one", at(3)))
                    .id();
            ids[2] = tx.insertMessage(message(third, to, "to the new one", at(4)))
                    .id();
            tx.moveMessages(from.id(), to.id());
        });
        store.read(tx -> {
            assertEquals(to.id(), tx.findMessage(ids[0]).orElseThrow().recipient());
            assertEquals(to.id(), tx.findMessage(ids[1]).orElseThrow().sender());
            assertEquals(third.id(), tx.findMessage(ids[1]).orElseThrow().recipient());
            assertEquals(
                    List.of("to the old one", "to the new one"),
                    tx.pendingMessages(to.id(), 10).stream().map(Message::text).toList());
            assertEquals(List.of(), tx.pendingMessages(from.id(), 10));
            assertEquals(List.of(), tx.history(from.id(), null, 10));
            return null;
        });
    }

    @Test
    void findGonePeerByAgentMatchesProcessClientTypeAndCwdPreferringTheMostRecentlyGone() {
        long pid = 7777;
        long ticks = 90_000;
        Peer newer = peer("newer")
                .agent(pid, ticks)
                .cwd("/w")
                .registeredAt(at(0))
                .gone(at(20))
                .build();
        Peer older = peer("older")
                .agent(pid, ticks)
                .cwd("/w")
                .registeredAt(at(1))
                .gone(at(10))
                .build();
        Peer live =
                peer("live").agent(pid, ticks).cwd("/w").registeredAt(at(30)).build();
        Peer otherTicks =
                peer("ticks").agent(pid, ticks + 1).cwd("/w").gone(at(30)).build();
        Peer otherPid = peer("pid").agent(pid + 1, ticks).cwd("/w").gone(at(30)).build();
        Peer otherType = peer("type")
                .agent(pid, ticks)
                .cwd("/w")
                .clientType(ClientType.CODEX)
                .gone(at(30))
                .build();
        Peer otherCwd = peer("cwd").agent(pid, ticks).cwd("/w/sub").gone(at(30)).build();
        Peer unverified = peer("unv").unverified().cwd("/w").gone(at(30)).build();
        insert(newer, older, live, otherTicks, otherPid, otherType, otherCwd, unverified);

        store.read(tx -> {
            assertEquals(Optional.of(newer), tx.findGonePeerByAgent(pid, ticks, ClientType.CLAUDE_CODE, "/w"));
            assertEquals(Optional.of(otherTicks), tx.findGonePeerByAgent(pid, ticks + 1, ClientType.CLAUDE_CODE, "/w"));
            assertEquals(Optional.of(otherPid), tx.findGonePeerByAgent(pid + 1, ticks, ClientType.CLAUDE_CODE, "/w"));
            assertEquals(Optional.of(otherType), tx.findGonePeerByAgent(pid, ticks, ClientType.CODEX, "/w"));
            assertEquals(Optional.of(otherCwd), tx.findGonePeerByAgent(pid, ticks, ClientType.CLAUDE_CODE, "/w/sub"));
            assertEquals(Optional.empty(), tx.findGonePeerByAgent(pid, ticks, ClientType.GENERIC, "/w"));
            assertEquals(Optional.empty(), tx.findGonePeerByAgent(pid, ticks, ClientType.CLAUDE_CODE, "/w/"));
            assertEquals(Optional.empty(), tx.findGonePeerByAgent(pid + 2, ticks, ClientType.CLAUDE_CODE, "/w"));
            return null;
        });

        // Once the newer one is back (live), the older one is the candidate.
        write(tx -> tx.updatePeer(
                peer("newer").agent(pid, ticks).cwd("/w").registeredAt(at(0)).build()));
        assertEquals(
                Optional.of(older), store.read(tx -> tx.findGonePeerByAgent(pid, ticks, ClientType.CLAUDE_CODE, "/w")));
    }

    @Test
    void livePeersAreOrderedByRegistrationThenId() {
        Peer zed = peer("zed").registeredAt(at(5)).build();
        Peer bob = peer("bob").registeredAt(at(1)).build();
        Peer amy = peer("amy").registeredAt(at(5)).build();
        Peer old = peer("old").registeredAt(at(0)).gone(at(3)).build();
        insert(zed, bob, old, amy);
        assertEquals(List.of(bob, amy, zed), store.read(StoreTransaction::livePeers));
    }

    @Test
    void markAllLivePeersGoneTouchesOnlyLivePeers() {
        Peer a = peer("a1").name("ann").registeredAt(at(1)).lastSeen(at(2)).build();
        Peer b = peer("b1").registeredAt(at(2)).build();
        Peer earlier = peer("e1").name("eve").gone(at(3), at(4)).build();
        insert(a, b, earlier);
        assertEquals(2, (int) store.inTransaction(tx -> tx.markAllLivePeersGone(at(100), at(200))));
        assertEquals(Optional.of(a.gone(at(100), at(200))), findPeer(a));
        assertEquals(Optional.of(b.gone(at(100), at(200))), findPeer(b));
        assertEquals(Optional.of(earlier), findPeer(earlier));
        assertEquals(List.of(), store.read(StoreTransaction::livePeers));
        assertEquals(new StoreCounts(0, 3, 0, 0, 0, 0), counts());
        assertEquals(0, (int) store.inTransaction(tx -> tx.markAllLivePeersGone(at(300), at(400))));
    }

    @Test
    void gonePeersWithPendingMessagesAreThoseGoneBeforeTheCutOffWithPendingMail() {
        Peer live = peer("live").build();
        Peer withPending = peer("pend").gone(at(50)).build();
        Peer withDelivered = peer("deliv").gone(at(50)).build();
        Peer withFinished = peer("fin").gone(at(50)).build();
        Peer atCutOff = peer("cut").gone(at(100)).build();
        Peer bare = peer("bare").gone(at(10)).build();
        insert(live, withPending, withDelivered, withFinished, atCutOff, bare);
        send(live, live, "for live", at(1));
        send(live, withPending, "for pend", at(1));
        send(live, withPending, "for pend again", at(2));
        markDelivered(withDelivered, at(3), send(live, withDelivered, "for deliv", at(1)));
        markRead(withFinished, at(3), send(live, withFinished, "for fin", at(1)));
        send(live, withFinished, "for fin, undeliverable", at(2));
        write(tx -> tx.markUndeliverable(withFinished.id()));
        send(live, atCutOff, "for cut", at(1));

        assertEquals(List.of(withPending.id()), store.read(tx -> tx.gonePeersWithPendingMessages(at(100))));
        assertEquals(
                Set.of(withPending.id(), atCutOff.id()),
                new HashSet<>(store.read(tx -> tx.gonePeersWithPendingMessages(at(101)))));
        assertEquals(List.of(), store.read(tx -> tx.gonePeersWithPendingMessages(at(50))));
    }

    @Test
    void deleteGonePeersKeepsThoseAwaitingMessagesAndDeletesTheOthersWithTheirMessages() {
        Peer live = peer("live").build();
        Peer withPending = peer("pend").gone(at(50)).build();
        Peer withDelivered = peer("deliv").gone(at(50)).build();
        Peer withFinished = peer("fin").gone(at(50)).build();
        Peer bare = peer("bare").gone(at(10)).build();
        Peer atCutOff = peer("cut").gone(at(100)).build();
        insert(live, withPending, withDelivered, withFinished, bare, atCutOff);
        Message pending = send(live, withPending, "p", at(1));
        Message delivered = send(live, withDelivered, "d", at(1));
        markDelivered(withDelivered, at(2), delivered);
        Message read = send(live, withFinished, "r", at(1));
        markRead(withFinished, at(2), read);
        Message undeliverable = send(live, withFinished, "u", at(3));
        write(tx -> tx.markUndeliverable(withFinished.id()));
        Message sentByDeleted = send(withFinished, live, "sent by a peer that gets deleted", at(4));
        Message fromBare = send(bare, live, "also", at(5));

        assertEquals(2, (int) store.inTransaction(tx -> tx.deleteGonePeers(at(100))));

        assertEquals(Optional.of(live), findPeer(live));
        assertEquals(Optional.of(withPending), findPeer(withPending));
        assertEquals(Optional.of(withDelivered), findPeer(withDelivered));
        assertEquals(Optional.of(atCutOff), findPeer(atCutOff));
        assertEquals(Optional.empty(), findPeer(withFinished));
        assertEquals(Optional.empty(), findPeer(bare));
        assertEquals(Optional.empty(), store.read(tx -> tx.findMessage(read.id())));
        assertEquals(Optional.empty(), store.read(tx -> tx.findMessage(undeliverable.id())));
        assertEquals(pending, find(pending));
        assertEquals(MessageState.DELIVERED, find(delivered).state());
        assertEquals(sentByDeleted, find(sentByDeleted), "messages the deleted peers sent stay");
        assertEquals(fromBare, find(fromBare));
        assertEquals(new StoreCounts(1, 3, 3, 1, 0, 0), counts());
        assertEquals(0, (int) store.inTransaction(tx -> tx.deleteGonePeers(at(100))));
    }

    // ================================================================ messages

    @Test
    void insertedMessagesArePendingWithPositiveIncreasingIds() {
        Peer a = peer("a1").build();
        Peer b = peer("b1").build();
        insert(a, b);
        List<NewMessage> wanted = new ArrayList<>();
        List<Message> stored = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            NewMessage m = message(a, b, "single " + i, at(i));
            wanted.add(m);
            stored.add(send(m));
        }
        List<NewMessage> batch = IntStream.range(0, 5)
                .mapToObj(i -> message(b, a, "batch " + i, at(10)))
                .collect(Collectors.toList());
        wanted.addAll(batch);
        stored.addAll(
                store.inTransaction(tx -> batch.stream().map(tx::insertMessage).collect(Collectors.toList())));

        assertTrue(stored.get(0).id() > 0, "ids are positive");
        for (int i = 0; i < stored.size(); i++) {
            Message m = stored.get(i);
            if (i > 0) {
                assertTrue(m.id() > stored.get(i - 1).id(), "ids increase");
            }
            assertEquals(wanted.get(i).stored(m.id()), m);
            assertEquals(m, find(m));
        }
    }

    @Test
    void repliesNoticesFromTheBrokerAndNotesToSelfRoundTrip() {
        Peer a = peer("a1").build();
        Peer b = peer("b1").build();
        insert(a, b);
        Message question = send(a, b, "question?", at(1));
        Message answer = send(reply(b.id(), a.id(), "answer", question.id(), at(2)));
        Message notice = send(message(PeerId.BROKER, a.id(), "your message could not be delivered", at(3)));
        Message toSelf = send(a, a, "reminder", at(4));
        assertEquals(question.id(), find(answer).replyTo());
        assertNull(find(question).replyTo());
        assertEquals(answer, find(answer));
        assertEquals(notice, find(notice));
        assertEquals(PeerId.BROKER, find(notice).sender());
        assertEquals(toSelf, find(toSelf));
        assertEquals(List.of(toSelf, notice, answer, question), store.read(tx -> tx.history(a.id(), null, 10)));
    }

    @Test
    void idsAreNeverReusedEvenAfterTheNewestMessageWasDeleted() {
        Peer a = peer("a1").build();
        insert(a);
        Message m1 = send(a, a, "one", at(1));
        Message m2 = send(a, a, "two", at(2));
        markRead(a, at(3), m1, m2);
        assertEquals(2, (int) store.inTransaction(tx -> tx.deleteFinishedMessages(at(10))));
        Message m3 = send(a, a, "three", at(11));
        assertTrue(m3.id() > m2.id(), "id " + m3.id() + " after deleted id " + m2.id());
    }

    @Test
    void pendingMessagesAreTheRecipientsOwnOldestFirstWithinTheLimit() {
        Peer r = peer("rcpt").build();
        Peer a = peer("a1").build();
        Peer b = peer("b1").build();
        insert(r, a, b);
        Message m1 = send(a, r, "1", at(1));
        Message toOther = send(a, b, "not for r", at(2));
        Message m2 = send(b, r, "2", at(3));
        Message m3 = send(a, r, "3", at(4));
        Message m4 = send(b, r, "4", at(5));
        Message m5 = send(a, r, "5", at(6));
        markDelivered(r, at(7), m2);
        markRead(r, at(7), m4);

        assertEquals(List.of(m1, m3, m5), store.read(tx -> tx.pendingMessages(r.id(), 10)));
        assertEquals(List.of(m1, m3), store.read(tx -> tx.pendingMessages(r.id(), 2)));
        assertEquals(List.of(), store.read(tx -> tx.pendingMessages(r.id(), 0)));
        assertEquals(List.of(toOther), store.read(tx -> tx.pendingMessages(b.id(), 10)));
        assertEquals(List.of(), store.read(tx -> tx.pendingMessages(a.id(), 10)));
        assertEquals(3, (int) store.read(tx -> tx.countPendingMessages(r.id())));
        assertEquals(1, (int) store.read(tx -> tx.countPendingMessages(b.id())));
        assertEquals(0, (int) store.read(tx -> tx.countPendingMessages(a.id())));
    }

    @Test
    void theUnreadAreSummedUpWithoutTheirTexts() {
        Peer r = peer("rcpt").build();
        Peer a = peer("a1").build();
        Peer b = peer("b1").build();
        Peer c = peer("c1").build();
        insert(r, a, b, c);
        assertEquals(new UnreadSummary(0, 0, 0, List.of()), store.read(tx -> tx.summarizeUnread(r.id(), 10)));
        Message readOne = send(c, r, "read already", at(0));
        Message fromB = send(b, r, "b first", at(1));
        send(a, r, "a", at(2));
        send(b, r, "b again", at(3));
        Message newest = send(a, r, "a again", at(4));
        Message toA = send(r, a, "to a", at(5));
        markDelivered(r, at(6), fromB);
        markRead(r, at(7), readOne);

        assertEquals(
                new UnreadSummary(4, newest.id(), newest.id(), List.of(b.id(), a.id())),
                store.read(tx -> tx.summarizeUnread(r.id(), 10)),
                "delivered counts as unread, read does not; senders by their oldest unread message");
        assertEquals(
                List.of(b.id()), store.read(tx -> tx.summarizeUnread(r.id(), 1)).senders());
        assertEquals(4, (int) store.read(tx -> tx.summarizeUnread(r.id(), 0)).count());
        assertEquals(
                new UnreadSummary(1, toA.id(), toA.id(), List.of(r.id())),
                store.read(tx -> tx.summarizeUnread(a.id(), 10)));
    }

    @Test
    void unreadMessagesArePendingAndDeliveredOldestFirstWithinTheLimit() {
        Peer r = peer("rcpt").build();
        Peer a = peer("a1").build();
        insert(r, a);
        List<Message> m = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            m.add(send(a, r, "m" + i, at(i)));
        }
        send(r, a, "to a", at(8));
        markDelivered(r, at(10), m.get(1), m.get(4));
        markRead(r, at(11), m.get(2), m.get(6));
        List<Message> unread = List.of(m.get(0), find(m.get(1)), m.get(3), find(m.get(4)), m.get(5));

        assertEquals(unread, store.read(tx -> tx.unreadMessages(r.id(), 10)));
        assertEquals(unread.subList(0, 3), store.read(tx -> tx.unreadMessages(r.id(), 3)));
        assertEquals(List.of(), store.read(tx -> tx.unreadMessages(r.id(), 0)));

        write(tx -> tx.markUndeliverable(r.id()));
        assertEquals(List.of(find(m.get(1)), find(m.get(4))), store.read(tx -> tx.unreadMessages(r.id(), 10)));
    }

    @Test
    void markDeliveredChangesOnlyTheRecipientsPendingMessages() {
        Peer r = peer("rcpt").build();
        Peer other = peer("other").build();
        Peer u = peer("unreach").build();
        insert(r, other, u);
        Message p1 = send(other, r, "p1", at(1));
        Message p2 = send(other, r, "p2", at(2));
        Message p3 = send(other, r, "p3", at(3));
        Message o1 = send(r, other, "o1", at(4));
        Message u1 = send(r, u, "u1", at(5));
        markRead(r, at(6), p3);
        write(tx -> tx.markUndeliverable(u.id()));

        int changed = store.inTransaction(tx ->
                tx.markDelivered(r.id(), List.of(p1.id(), p3.id(), o1.id(), u1.id(), 987_654_321L, p1.id()), at(7)));

        assertEquals(1, changed);
        assertEquals(as(p1, MessageState.DELIVERED, at(7), null), find(p1));
        assertEquals(p2, find(p2));
        assertEquals(as(p3, MessageState.READ, at(6), at(6)), find(p3));
        assertEquals(o1, find(o1));
        assertEquals(MessageState.UNDELIVERABLE, find(u1).state());
        assertEquals(0, markDelivered(r, at(8), p1), "delivering again changes nothing");
        assertEquals(at(7), find(p1).deliveredAt());
        assertEquals(0, markDelivered(u, at(8), u1), "undeliverable messages are not delivered");
        assertEquals(0, (int) store.inTransaction(tx -> tx.markDelivered(r.id(), List.of(), at(9))));
    }

    @Test
    void markReadChangesOnlyTheRecipientsUnreadMessagesAndSetsMissingDeliveryTimes() {
        Peer r = peer("rcpt").build();
        Peer other = peer("other").build();
        Peer u = peer("unreach").build();
        insert(r, other, u);
        Message pending = send(other, r, "pending", at(1));
        Message delivered = send(other, r, "delivered", at(2));
        Message read = send(other, r, "read", at(3));
        Message o1 = send(r, other, "for other", at(4));
        Message u1 = send(r, u, "for unreachable", at(5));
        markDelivered(r, at(5), delivered);
        markRead(r, at(6), read);
        write(tx -> tx.markUndeliverable(u.id()));

        int changed = markRead(r, at(10), pending, delivered, read, o1, u1);

        assertEquals(2, changed);
        assertEquals(as(pending, MessageState.READ, at(10), at(10)), find(pending));
        assertEquals(as(delivered, MessageState.READ, at(5), at(10)), find(delivered));
        assertEquals(as(read, MessageState.READ, at(6), at(6)), find(read));
        assertEquals(o1, find(o1));
        assertEquals(0, markRead(u, at(11), u1), "undeliverable messages are not read");
        assertEquals(MessageState.UNDELIVERABLE, find(u1).state());
        assertEquals(0, markRead(other, at(12), pending), "only the recipient reads");
    }

    @Test
    void manyIdsCanBeMarkedInOneCall() {
        int count = 1_200;
        Peer r = peer("rcpt").build();
        insert(r);
        List<Message> sent = store.inTransaction(tx -> IntStream.range(0, count)
                .mapToObj(i -> tx.insertMessage(message(r, r, "m" + i, at(i))))
                .collect(Collectors.toList()));
        List<Long> ids = idsOf(sent);
        assertEquals(count, (int) store.inTransaction(tx -> tx.markDelivered(r.id(), ids, at(count))));
        assertEquals(new StoreCounts(1, 0, 0, count, 0, 0), counts());
        assertEquals(count, (int) store.inTransaction(tx -> tx.markRead(r.id(), ids, at(count))));
        assertEquals(new StoreCounts(1, 0, 0, 0, count, 0), counts());
    }

    @Test
    void undeliverableMessagesComeBackPendingWhenRevived() {
        Peer r = peer("rcpt").build();
        Peer other = peer("other").build();
        insert(r, other);
        Message m1 = send(other, r, "m1", at(1));
        Message m2 = send(other, r, "m2", at(2));
        Message m3 = send(other, r, "m3", at(3));
        Message o1 = send(r, other, "o1", at(4));
        markDelivered(r, at(5), m2);

        List<Message> moved = store.inTransaction(tx -> tx.markUndeliverable(r.id()));

        assertEquals(List.of(m1, m3), moved, "returned as they were: pending, oldest first");
        assertEquals(as(m1, MessageState.UNDELIVERABLE, null, null), find(m1));
        assertEquals(as(m3, MessageState.UNDELIVERABLE, null, null), find(m3));
        assertEquals(MessageState.DELIVERED, find(m2).state());
        assertEquals(o1, find(o1));
        assertEquals(List.of(), store.read(tx -> tx.pendingMessages(r.id(), 10)));
        assertEquals(new StoreCounts(2, 0, 1, 1, 0, 2), counts());
        assertEquals(List.of(), store.inTransaction(tx -> tx.markUndeliverable(r.id())));

        assertEquals(2, (int) store.inTransaction(tx -> tx.revivePendingMessages(r.id())));

        assertEquals(List.of(m1, m3), store.read(tx -> tx.pendingMessages(r.id(), 10)));
        assertEquals(m1, find(m1));
        assertEquals(0, (int) store.inTransaction(tx -> tx.revivePendingMessages(r.id())));
        assertEquals(0, (int) store.inTransaction(tx -> tx.revivePendingMessages(other.id())));
        assertEquals(new StoreCounts(2, 0, 3, 1, 0, 0), counts());
    }

    @Test
    void historyIsNewestFirstAndCanBeNarrowedToOnePeer() {
        Peer a = peer("a1").build();
        Peer b = peer("b1").build();
        Peer c = peer("c1").build();
        insert(a, b, c);
        Message m1 = send(a, b, "1", at(1));
        Message m2 = send(b, a, "2", at(2));
        Message m3 = send(a, c, "3", at(3));
        Message m4 = send(c, a, "4", at(4));
        Message m5 = send(b, c, "5", at(5));
        Message m6 = send(a, b, "6", at(6));
        Message m7 = send(message(PeerId.BROKER, a.id(), "7", at(7)));
        markRead(b, at(8), m6);
        write(tx -> tx.markUndeliverable(c.id()));
        List<Message> all = store.read(tx -> LongStream.rangeClosed(m1.id(), m7.id())
                .mapToObj(tx::findMessage)
                .flatMap(Optional::stream)
                .collect(Collectors.toList()));
        assertEquals(7, all.size());

        assertEquals(ids(m7, m6, m4, m3, m2, m1), idsOf(store.read(tx -> tx.history(a.id(), null, 100))));
        assertEquals(ids(m7, m6, m4), idsOf(store.read(tx -> tx.history(a.id(), null, 3))));
        assertEquals(ids(m6, m2, m1), idsOf(store.read(tx -> tx.history(a.id(), b.id(), 100))));
        assertEquals(ids(m6), idsOf(store.read(tx -> tx.history(b.id(), a.id(), 1))));
        assertEquals(ids(m5, m4, m3), idsOf(store.read(tx -> tx.history(c.id(), null, 100))));
        assertEquals(ids(m7), idsOf(store.read(tx -> tx.history(a.id(), PeerId.BROKER, 100))));
        assertEquals(List.of(), store.read(tx -> tx.history(a.id(), null, 0)));
        List<Message> newestFirst = new ArrayList<>(all);
        Collections.reverse(newestFirst);
        assertEquals(
                newestFirst.stream()
                        .filter(m -> m.sender().equals(b.id()) || m.recipient().equals(b.id()))
                        .collect(Collectors.toList()),
                store.read(tx -> tx.history(b.id(), null, 100)),
                "history returns the messages as stored, in every state");
    }

    @Test
    void deleteFinishedMessagesDeletesOnlyReadAndUndeliverableOnesSentBeforeTheCutOff() {
        Peer r = peer("rcpt").build();
        Peer u = peer("unreach").build();
        insert(r, u);
        Message oldPending = send(u, r, "old pending", at(10));
        Message oldDelivered = send(u, r, "old delivered", at(10));
        Message oldRead = send(u, r, "old read", at(10));
        Message cutOffRead = send(u, r, "read at the cut-off", at(100));
        Message newRead = send(u, r, "new read", at(200));
        Message oldUndeliverable = send(r, u, "old undeliverable", at(10));
        Message newUndeliverable = send(r, u, "new undeliverable", at(200));
        markDelivered(r, at(300), oldDelivered);
        markRead(r, at(300), oldRead, cutOffRead, newRead);
        write(tx -> tx.markUndeliverable(u.id()));

        assertEquals(2, (int) store.inTransaction(tx -> tx.deleteFinishedMessages(at(100))));

        assertEquals(Optional.empty(), store.read(tx -> tx.findMessage(oldRead.id())));
        assertEquals(Optional.empty(), store.read(tx -> tx.findMessage(oldUndeliverable.id())));
        for (Message kept : List.of(oldPending, oldDelivered, cutOffRead, newRead, newUndeliverable)) {
            assertEquals(kept.id(), find(kept).id());
        }
        assertEquals(new StoreCounts(2, 0, 1, 1, 2, 1), counts());
        assertEquals(0, (int) store.inTransaction(tx -> tx.deleteFinishedMessages(at(100))));
    }

    @Test
    void countsCountPeersAndMessagesByState() {
        assertEquals(new StoreCounts(0, 0, 0, 0, 0, 0), counts());
        Peer a = peer("a1").build();
        Peer b = peer("b1").build();
        Peer g = peer("g1").gone(at(1)).build();
        insert(a, b, g);
        Message m1 = send(a, b, "1", at(1));
        Message m2 = send(a, b, "2", at(2));
        send(a, b, "3", at(3));
        send(b, a, "4", at(4));
        send(a, g, "5", at(5));
        send(a, g, "6", at(6));
        markDelivered(b, at(7), m1, m2);
        markRead(b, at(8), m1);
        write(tx -> tx.markUndeliverable(g.id()));
        StoreCounts counts = counts();
        assertEquals(new StoreCounts(2, 1, 2, 1, 1, 2), counts);
        assertEquals(6, counts.messages());
    }

    // ================================================================ lifecycle

    @Test
    void closeIsIdempotentAndAClosedStoreRefusesWork() {
        insert(peer("a1").build());
        store.close();
        store.close();
        assertThrows(StoreException.class, () -> store.read(StoreTransaction::counts));
        assertThrows(StoreException.class, () -> store.inTransaction(StoreTransaction::counts));
    }

    @Test
    void everythingCommittedIsThereAfterReopening() {
        assumeTrue(survivesReopen(), "this store does not survive a reopen");
        Peer full = peer("full")
                .name("full")
                .summary("sum 🚀")
                .registeredAt(at(1))
                .lastSeen(at(2))
                .resumeSecretHash("ab".repeat(32))
                .build();
        Peer bare = new Peer(
                new PeerId("bare"),
                null,
                null,
                null,
                "/tmp",
                null,
                null,
                null,
                null,
                ClientType.CLI,
                "",
                at(3),
                at(3),
                PeerState.LIVE,
                null,
                null,
                null);
        Peer gone = peer("gone")
                .name("gone")
                .agent(42, 4242)
                .cwd("/g")
                .gone(at(5), at(6))
                .build();
        insert(full, bare, gone);
        Message pending = send(full, bare, "pending", at(10));
        Message delivered = send(bare, full, "delivered", at(11));
        Message read = send(full, bare, "read", at(12));
        Message replied = send(reply(bare.id(), full.id(), "a reply", read.id(), at(13)));
        Message undeliverable = send(full, gone, "undeliverable", at(14));
        // The newest id, but sent earliest: the only message the clean-up below deletes.
        Message newestDeleted = send(full, bare, "read then deleted", at(1));
        markDelivered(full, at(20), delivered);
        markRead(bare, at(21), read, newestDeleted);
        write(tx -> tx.markUndeliverable(gone.id()));
        assertEquals(1, (int) store.inTransaction(tx -> tx.deleteFinishedMessages(at(2))));
        assertThrows(
                IllegalStateException.class,
                () -> write(tx -> {
                    tx.insertPeer(peer("rolled").build());
                    tx.insertMessage(message(full, bare, "rolled back", at(30)));
                    throw new IllegalStateException("rolled back");
                }));
        List<PeerId> peerIds = List.of(full.id(), bare.id(), gone.id(), new PeerId("rolled"));
        List<Long> messageIds = LongStream.rangeClosed(pending.id(), newestDeleted.id() + 1)
                .boxed()
                .collect(Collectors.toList());
        List<Object> before = snapshot(peerIds, messageIds);
        Optional<Peer> resumable = store.read(tx -> tx.findGonePeerByAgent(42, 4242, ClientType.CLAUDE_CODE, "/g"));
        assertEquals(Optional.of(gone), resumable);

        store.close();
        store = reopenStore();

        assertEquals(before, snapshot(peerIds, messageIds));
        assertEquals(resumable, store.read(tx -> tx.findGonePeerByAgent(42, 4242, ClientType.CLAUDE_CODE, "/g")));
        assertEquals(Optional.of(full), store.read(tx -> tx.findPeerByResumeSecretHash("ab".repeat(32))));
        assertEquals(ids(replied, read), idsOf(store.read(tx -> tx.history(bare.id(), full.id(), 2))));
        assertEquals(List.of(pending), store.read(tx -> tx.pendingMessages(bare.id(), 10)));
        assertEquals(MessageState.UNDELIVERABLE, find(undeliverable).state());

        Message after = send(full, bare, "after reopening", at(40));
        assertTrue(after.id() > newestDeleted.id(), "ids keep increasing after a reopen");
        assertNotEquals(Optional.empty(), store.read(tx -> tx.findMessage(after.id())));
        insert(peer("later").build());
        assertEquals(3, counts().livePeers());
    }
}
