package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.StoreTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The writer counts its commits and the writes they held: the units queued behind a commit share the next one. */
class WriterCountsTest {
    private static final long WAIT_SECONDS = 20;

    @Test
    void writesQueuedBehindACommitShareTheNextOneAndAreCounted() throws Exception {
        GroupCommitter committer = new GroupCommitter(new NothingStore(), events -> {}, lost -> {}, 64);
        committer.start();
        List<Thread> callers = new ArrayList<>();
        try {
            assertEquals(new WriterCounts(0, 0), committer.counts());
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            callers.add(start(() -> committer.submit((tx, events) -> {
                holding.countDown();
                await(release);
                return null;
            })));
            assertTrue(holding.await(WAIT_SECONDS, TimeUnit.SECONDS), "the writer holds a transaction");
            for (int i = 0; i < 5; i++) {
                callers.add(start(() -> committer.submit((tx, events) -> null)));
            }
            awaitParked(callers.subList(1, callers.size()));
            release.countDown();
            for (Thread caller : callers) {
                caller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
            assertEquals(new WriterCounts(2, 6), committer.counts(), "the holder's commit, then one for the five");

            assertThrowsPeers(committer);
            assertEquals(new WriterCounts(3, 7), committer.counts(), "a refused unit's transaction still commits");
        } finally {
            committer.close();
        }
    }

    private static void assertThrowsPeers(GroupCommitter committer) {
        try {
            committer.submit((tx, events) -> {
                throw new InvalidArgumentException("refused");
            });
        } catch (InvalidArgumentException expected) {
            return;
        }
        throw new AssertionError("the unit's refusal reaches its caller");
    }

    private static Thread start(Runnable body) {
        Thread thread = new Thread(body);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void awaitParked(List<Thread> callers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
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

    /** Runs each unit against no transaction at all: these units never touch it. */
    private static final class NothingStore implements PeerStore {
        @Override
        public <T> T inTransaction(StoreWork<T> work) {
            return work.run((StoreTransaction) null);
        }

        @Override
        public <T> T read(StoreWork<T> work) {
            return work.run((StoreTransaction) null);
        }

        @Override
        public void close() {}
    }
}
