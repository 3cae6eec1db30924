package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.port.PeerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A store that cannot reach its server for a while ({@link StoreUnavailableException}): the writer answers
 * the batch and the queue without retrying and without counting the store lost, and a commit whose outcome
 * the store must look up ({@link CommitInDoubtException}) is answered only once the store knows.
 */
class StoreOutageTest {
    private static final long WAIT_SECONDS = 20;

    private final ScriptedStore store = new ScriptedStore();
    private final List<StoreLostException> heard = new CopyOnWriteArrayList<>();
    private final List<List<PeersEvent>> published = new CopyOnWriteArrayList<>();
    private final List<Thread> callers = new CopyOnWriteArrayList<>();
    private final GroupCommitter committer = new GroupCommitter(store, published::add, heard::add, 64);

    @AfterEach
    void close() {
        committer.close();
    }

    @Test
    void anUnavailableStoreFailsTheBatchAndTheQueueUnretriedAndLaterWritesReachItAgain() throws Exception {
        committer.start();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.next(() -> {
            throw new StoreUnavailableException("the broker cannot reach its database db since t");
        });
        CompletableFuture<Object> held = submitAsync((tx, events) -> {
            holding.countDown();
            await(release);
            return "held";
        });
        assertTrue(holding.await(WAIT_SECONDS, TimeUnit.SECONDS));
        List<CompletableFuture<Object>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            queued.add(submitAsync((tx, events) -> n));
        }
        awaitQueued();
        release.countDown();

        assertInstanceOf(StoreUnavailableException.class, failure(held));
        for (CompletableFuture<Object> unit : queued) {
            StoreUnavailableException refused = assertInstanceOf(StoreUnavailableException.class, failure(unit));
            assertEquals("store_unavailable", refused.code());
        }
        assertEquals(1, store.transactions.get(), "neither the batch nor the queue was retried against the store");
        assertEquals(List.of(), heard, "unavailable is not lost");
        assertEquals("after", committer.submit((tx, events) -> "after"), "the next write reaches the store");
    }

    @Test
    void aCommitInDoubtIsAcknowledgedWithItsEventsOnlyOnceTheStoreFindsItCommitted() throws Exception {
        committer.start();
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        store.next(() -> {
            throw new CommitInDoubtException("the connection broke during COMMIT", null, outcome);
        });
        Message message = message();
        CompletableFuture<Object> doubtful = submitAsync((tx, events) -> {
            events.add(new PeersEvent.MessageSent(message));
            return "sent";
        });
        awaitTransactions(1);
        assertThrows(TimeoutException.class, () -> doubtful.get(200, TimeUnit.MILLISECONDS), "held, not answered");
        assertEquals(List.of(), published, "no event for what may not be written");

        outcome.complete(true);
        assertEquals("sent", doubtful.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(List.of(List.of(new PeersEvent.MessageSent(message))), published);
        assertEquals(1, committer.counts().transactions());
    }

    @Test
    void aCommitInDoubtFoundNotCommittedIsRefusedAsUnavailableWithoutItsEvents() throws Exception {
        committer.start();
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        store.next(() -> {
            throw new CommitInDoubtException("the connection broke during COMMIT", null, outcome);
        });
        CompletableFuture<Object> doubtful = submitAsync((tx, events) -> {
            events.add(new PeersEvent.MessageSent(message()));
            return "sent";
        });
        awaitTransactions(1);
        outcome.complete(false);
        StoreUnavailableException refused = assertInstanceOf(StoreUnavailableException.class, failure(doubtful));
        assertTrue(refused.getMessage().contains("not committed"), refused.getMessage());
        assertEquals(List.of(), published);
        assertEquals(List.of(), heard);
    }

    @Test
    void aCommitInDoubtThatTheStoreGaveUpOnLosesTheStore() throws Exception {
        committer.start();
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        store.next(() -> {
            throw new CommitInDoubtException("the connection broke during COMMIT", null, outcome);
        });
        CompletableFuture<Object> doubtful = submitAsync((tx, events) -> "sent");
        awaitTransactions(1);
        StoreLostException lost = new StoreLostException("the outage outlasted the lease");
        outcome.completeExceptionally(lost);
        assertSame(lost, failure(doubtful));
        assertEquals(List.of(lost), heard, "the broker hears it once");
        assertInstanceOf(
                StoreLostException.class, assertThrows(StoreException.class, () -> committer.submit((tx, e) -> 1)));
    }

    // ---- helpers

    private static Message message() {
        return new Message(
                1,
                new PeerId("alice001"),
                new PeerId("bob00001"),
                "x",
                null,
                Instant.EPOCH,
                null,
                null,
                MessageState.PENDING);
    }

    private CompletableFuture<Object> submitAsync(GroupCommitter.Work<Object> work) {
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

    private static Throwable failure(CompletableFuture<Object> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(WAIT_SECONDS, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** Until every caller but the first (whose unit the writer holds) waits for its commit. */
    private void awaitQueued() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!callers.subList(1, callers.size()).stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            assertTrue(System.nanoTime() < deadline, "the writes queue up");
            Thread.sleep(5);
        }
    }

    private void awaitTransactions(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (store.transactions.get() < n) {
            assertTrue(System.nanoTime() < deadline, "the writer reaches the store");
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

    /** Commits, unless a failure was scripted for the next transaction: that one throws it after its work ran. */
    private static final class ScriptedStore implements PeerStore {
        final AtomicInteger transactions = new AtomicInteger();
        private final Queue<Supplier<RuntimeException>> script = new ConcurrentLinkedQueue<>();

        void next(Supplier<RuntimeException> failure) {
            script.add(failure);
        }

        @Override
        public <T> T inTransaction(StoreWork<T> work) {
            transactions.incrementAndGet();
            T result = work.run(EmptyTransaction.create());
            Supplier<RuntimeException> failure = script.poll();
            if (failure != null) {
                throw failure.get();
            }
            return result;
        }

        @Override
        public <T> T read(StoreWork<T> work) {
            return work.run(EmptyTransaction.create());
        }

        @Override
        public void close() {}
    }
}
