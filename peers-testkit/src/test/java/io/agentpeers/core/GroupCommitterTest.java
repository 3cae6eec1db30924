package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.testkit.Await;
import io.agentpeers.testkit.StoreContractFixtures;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupCommitter} against the in-memory store with write failures injected mid-batch: a failed
 * transaction rolls back and its units are retried one by one, so a passing failure fails no one, one
 * bad unit fails only its caller, a store that stays down fails every caller of the batch, later batches
 * commit, and no write that was acknowledged is missing.
 *
 * <p>It lives in the testkit's tests because peers-core's own tests cannot depend on the in-memory store
 * (that module depends on the core).
 */
class GroupCommitterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int BATCH = 8;

    private final FailingStore store = new FailingStore();
    private final List<PeersEvent> published = new CopyOnWriteArrayList<>();
    private final GroupCommitter committer = new GroupCommitter(store, published::addAll, lost -> {}, 64);
    private final List<Thread> callers = new CopyOnWriteArrayList<>();

    GroupCommitterTest() {
        committer.start();
    }

    @AfterEach
    void close() {
        committer.close();
        store.close();
    }

    @Test
    void aPassingFailureMidBatchIsRetriedUnitByUnitAndFailsNoOne() throws Exception {
        store.failWrites(n -> n == 3);
        Map<String, CompletableFuture<Object>> results = oneBatch(ids("a", BATCH));

        for (var result : results.entrySet()) {
            assertEquals(
                    result.getKey(),
                    result.getValue().get(WAIT.toSeconds(), TimeUnit.SECONDS),
                    "every caller gets its own result");
        }
        assertEquals(Set.copyOf(ids("a", BATCH)), store.storedIds(), "each write once: the failed batch left nothing");
        assertEquals(BATCH, joined(), "one event per committed unit, none from the rolled-back batch");
        assertTrue(
                store.batchSizes().stream().anyMatch(size -> size >= 2),
                "the failure hit a batch of several: " + store.batchSizes());
    }

    @Test
    void aUnitTheStoreAlwaysRefusesFailsOnlyItsCaller() throws Exception {
        store.failPeer("b3");
        Map<String, CompletableFuture<Object>> results = oneBatch(ids("b", BATCH));

        ExecutionException failure = assertFailed(results.get("b3"));
        assertInstanceOf(StoreException.class, failure.getCause());
        for (String id : ids("b", BATCH)) {
            if (!id.equals("b3")) {
                assertEquals(id, results.get(id).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        }
        Set<String> expected = new java.util.HashSet<>(ids("b", BATCH));
        expected.remove("b3");
        assertEquals(expected, store.storedIds());
        assertEquals(BATCH - 1, joined());
    }

    @Test
    void whileTheStoreIsDownEveryCallerOfTheBatchGetsTheFailureAndLaterBatchesCommit() throws Exception {
        store.failWrites(n -> n >= 3);
        Map<String, CompletableFuture<Object>> failed = oneBatch(ids("c", BATCH));
        for (String id : ids("c", BATCH)) {
            ExecutionException failure = assertFailed(failed.get(id));
            assertInstanceOf(StoreException.class, failure.getCause(), id);
            assertTrue(
                    failure.getCause().getMessage().contains("disk full"),
                    failure.getCause().getMessage());
        }
        assertEquals(Set.of(), store.storedIds(), "the two writes before the failure were rolled back too");
        assertEquals(0, joined());

        store.failWrites(n -> false);
        Map<String, CompletableFuture<Object>> later = oneBatch(ids("d", 3));
        for (var result : later.entrySet()) {
            assertEquals(result.getKey(), result.getValue().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(Set.copyOf(ids("d", 3)), store.storedIds());
        assertEquals(3, joined());
    }

    @Test
    void aBrokenRuleFailsOnlyItsUnitInsideTheSharedTransaction() throws Exception {
        List<String> ids = ids("e", BATCH);
        Map<String, CompletableFuture<Object>> results = oneBatch(ids, id -> id.equals("e5"));

        assertInstanceOf(
                InvalidArgumentException.class, assertFailed(results.get("e5")).getCause());
        Set<String> expected = new java.util.HashSet<>(ids);
        expected.remove("e5");
        for (String id : expected) {
            assertEquals(id, results.get(id).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(expected, store.storedIds());
        assertEquals(
                1,
                store.batchSizes().stream().filter(size -> size > 1).count(),
                "no retry: the batch committed once: " + store.batchSizes());
    }

    @Test
    void afterCloseASubmitIsRefused() {
        committer.close();
        StoreException refused = org.junit.jupiter.api.Assertions.assertThrows(
                StoreException.class, () -> committer.submit((tx, events) -> null));
        assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());
    }

    // ------------------------------------------------------------ batches

    private Map<String, CompletableFuture<Object>> oneBatch(List<String> ids) throws InterruptedException {
        return oneBatch(ids, id -> false);
    }

    /**
     * Submits one insert per id while the writer is held inside a transaction, so that they queue up and
     * go into the next transaction together. {@code breaksARule} units throw a rule's exception before
     * they write, as a unit of the network does when a check fails.
     */
    private Map<String, CompletableFuture<Object>> oneBatch(
            List<String> ids, java.util.function.Predicate<String> breaksARule) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> holder = submitAsync("holder", (tx, events) -> {
            holding.countDown();
            await(release);
            return null;
        });
        assertTrue(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the writer holds a transaction");
        int before = callers.size();
        Map<String, CompletableFuture<Object>> results = new ConcurrentHashMap<>();
        for (String id : ids) {
            results.put(id, submitAsync(id, (tx, events) -> {
                if (breaksARule.test(id)) {
                    throw new InvalidArgumentException("rule broken by " + id);
                }
                Peer peer = StoreContractFixtures.peer(id).build();
                tx.insertPeer(peer);
                events.add(new PeersEvent.PeerJoined(peer, false));
                return id;
            }));
        }
        // Every caller waits for its commit (parked), so all are queued behind the held transaction.
        Await.until(
                WAIT,
                () -> callers.subList(before, callers.size()).stream()
                        .allMatch(t -> t.getState() == Thread.State.WAITING),
                "every caller waits for its commit");
        release.countDown();
        assertTrue(holderDone(holder), "the holder committed");
        return results;
    }

    private static boolean holderDone(CompletableFuture<Object> holder) {
        try {
            holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Submits on a thread of its own, as the broker's handler threads do. */
    private CompletableFuture<Object> submitAsync(String name, GroupCommitter.Work<Object> work) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread caller = new Thread(
                () -> {
                    try {
                        result.complete(committer.submit(work));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                },
                "caller-" + name);
        caller.setDaemon(true);
        callers.add(caller);
        caller.start();
        return result;
    }

    private static ExecutionException assertFailed(CompletableFuture<Object> result) {
        return org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> result.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long joined() {
        return published.stream()
                .filter(e -> e instanceof PeersEvent.PeerJoined)
                .count();
    }

    private static List<String> ids(String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }

    /**
     * The in-memory store with its write transactions wrapped: the writes a test picks (by their number,
     * counted from the start, or by the peer they write) throw a {@link StoreException}, as a full disk
     * or a database constraint would. Reads pass through.
     */
    private static final class FailingStore implements PeerStore {
        private final InMemoryPeerStore inner = new InMemoryPeerStore();
        private final AtomicInteger writes = new AtomicInteger();
        private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        private volatile IntPredicate failingWrites = n -> false;
        private volatile String failingPeer;

        void failWrites(IntPredicate which) {
            failingWrites = which;
        }

        void failPeer(String id) {
            failingPeer = id;
        }

        /** How many inserts each write transaction attempted, in order (the holder's counts as 0). */
        List<Integer> batchSizes() {
            return List.copyOf(batchSizes);
        }

        Set<String> storedIds() {
            return inner.read(tx -> {
                Set<String> ids = new java.util.HashSet<>();
                tx.livePeers().forEach(peer -> ids.add(peer.id().value()));
                return ids;
            });
        }

        @Override
        public <T> T inTransaction(StoreWork<T> work) {
            AtomicInteger inserts = new AtomicInteger();
            try {
                return inner.inTransaction(tx -> work.run(failing(tx, inserts)));
            } finally {
                batchSizes.add(inserts.get());
            }
        }

        private StoreTransaction failing(StoreTransaction tx, AtomicInteger inserts) {
            return (StoreTransaction) Proxy.newProxyInstance(
                    StoreTransaction.class.getClassLoader(),
                    new Class<?>[] {StoreTransaction.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("insertPeer")) {
                            inserts.incrementAndGet();
                            int n = writes.incrementAndGet();
                            Peer peer = (Peer) args[0];
                            if (failingWrites.test(n) || peer.id().value().equals(failingPeer)) {
                                throw new StoreException("disk full at write " + n);
                            }
                        }
                        try {
                            return method.invoke(tx, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public <T> T read(StoreWork<T> work) {
            return inner.read(work);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
