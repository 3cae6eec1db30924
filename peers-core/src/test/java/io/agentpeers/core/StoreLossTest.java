package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.ProcessControl;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A store that reports itself lost ({@link StoreLostException}): the batch that met it fails without a
 * retry, every later write and read fails at once without reaching the store, and the loss listener
 * hears it once, from the committer and from the network's reads alike.
 */
class StoreLossTest {
    private static final long WAIT_SECONDS = 20;
    private static final int BATCH = 8;

    private final LosingStore store = new LosingStore();
    private final List<StoreLostException> heard = new CopyOnWriteArrayList<>();
    private final List<Thread> callers = new CopyOnWriteArrayList<>();

    @Test
    void theBatchThatMeetsTheLossFailsWithoutRetriesAndLaterWritesAreRefusedAtOnce() throws Exception {
        GroupCommitter committer = new GroupCommitter(store, events -> {}, heard::add, 64);
        committer.start();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> holder = submitAsync(committer, (tx, events) -> {
                holding.countDown();
                await(release);
                return "held";
            });
            assertTrue(holding.await(WAIT_SECONDS, TimeUnit.SECONDS), "the writer holds a transaction");
            List<CompletableFuture<Object>> queued = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                int n = i;
                queued.add(submitAsync(committer, (tx, events) -> n));
            }
            awaitWaiting(callers);
            store.loseFromTransaction(2);
            release.countDown();

            assertEquals("held", holder.get(WAIT_SECONDS, TimeUnit.SECONDS), "the holder committed before the loss");
            for (CompletableFuture<Object> unit : queued) {
                ExecutionException failure =
                        assertThrows(ExecutionException.class, () -> unit.get(WAIT_SECONDS, TimeUnit.SECONDS));
                assertInstanceOf(StoreLostException.class, failure.getCause());
            }
            assertEquals(2, store.transactions.get(), "the holder's and the batch's: no retry one by one");

            StoreLostException refused =
                    assertThrows(StoreLostException.class, () -> committer.submit((tx, events) -> null));
            assertTrue(refused.getMessage().contains("was deleted"), refused.getMessage());
            assertEquals(2, store.transactions.get(), "a later write never reached the store");
            assertEquals(1, heard.size(), "the listener heard the loss once");
        } finally {
            committer.close();
        }
    }

    @Test
    void anErrorInTheWriterAnswersItsCallersAndCountsAsALoss() throws Exception {
        GroupCommitter committer = new GroupCommitter(store, events -> {}, heard::add, 64);
        committer.start();
        try {
            CompletableFuture<Object> failing = submitAsync(committer, (tx, events) -> {
                throw new AssertionError("no unit of work throws this");
            });

            ExecutionException failure =
                    assertThrows(ExecutionException.class, () -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(StoreLostException.class, failure.getCause(), "answered, not left waiting");
            assertTrue(
                    failure.getCause().getMessage().contains("AssertionError"),
                    failure.getCause().getMessage());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (heard.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5); // the callers are answered first, then the listener told
            }
            assertEquals(1, heard.size(), "the broker hears of it, and stops");
            assertThrows(StoreLostException.class, () -> committer.submit((tx, events) -> null), "nothing more");
        } finally {
            committer.close();
        }
    }

    @Test
    void aLossMetByAReadFailsLaterReadsAndWritesAtOnceAndIsHeardOnce() {
        PeerNetwork network = new PeerNetwork(
                store, new NoProcesses(), InstantSource.system(), PeersLimits.defaults(), null, heard::add);
        network.start();
        try {
            store.loseFromTransaction(store.transactions.get() + 1);
            assertThrows(StoreLostException.class, network::counts, "the read that meets the loss");
            assertEquals(1, store.reads.get());
            assertEquals(1, heard.size(), "the read told the listener");

            int transactions = store.transactions.get();
            assertThrows(StoreLostException.class, network::counts, "a later read");
            assertThrows(StoreLostException.class, network::sweep, "a later write");
            assertEquals(1, store.reads.get(), "the later read never reached the store");
            assertEquals(transactions, store.transactions.get(), "the later write never reached the store");
            assertEquals(1, heard.size(), "heard once");
        } finally {
            network.close();
        }
    }

    private CompletableFuture<Object> submitAsync(GroupCommitter committer, GroupCommitter.Work<Object> work) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                result.complete(committer.submit(work));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        caller.setDaemon(true);
        callers.add(caller);
        caller.start();
        return result;
    }

    /** Waits until every caller but the holder parks on its commit: queued behind it, they share one batch. */
    private static void awaitWaiting(List<Thread> callers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!callers.subList(1, callers.size()).stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            assertTrue(System.nanoTime() < deadline, "every caller waits for its commit");
            Thread.sleep(5);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Counts its transactions and reads; from a chosen transaction on, it throws as a store whose file
     * was deleted does: that transaction before its commit, and every call after it.
     */
    private static final class LosingStore implements PeerStore {
        final AtomicInteger transactions = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        private volatile int losesFrom = Integer.MAX_VALUE;

        /** Transaction {@code n} and every later one fail; so do reads from now on. */
        void loseFromTransaction(int n) {
            losesFrom = n;
        }

        private boolean lostNow() {
            return transactions.get() + 1 >= losesFrom;
        }

        @Override
        public <T> T inTransaction(StoreWork<T> work) {
            int n = transactions.incrementAndGet();
            T result = work.run(EmptyTransaction.create());
            if (n >= losesFrom) {
                throw lost();
            }
            return result;
        }

        @Override
        public <T> T read(StoreWork<T> work) {
            reads.incrementAndGet();
            if (lostNow()) {
                throw lost();
            }
            return work.run(EmptyTransaction.create());
        }

        @Override
        public void close() {}

        private static StoreLostException lost() {
            return new StoreLostException("the database file /tmp/peers.db was deleted while the store had it open");
        }
    }

    private static final class NoProcesses implements ProcessControl {
        @Override
        public Optional<ProcessInfo> inspect(long pid) {
            return Optional.empty();
        }

        @Override
        public boolean terminate(ProcessRef process) {
            return false;
        }
    }
}
