package io.agentpeers.core;

import io.agentpeers.core.port.CommitListener;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.StoreTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One writer thread that commits every write the network makes, grouping the writes that queued up
 * while the previous transaction ran into one transaction: commits, not sockets, bound the send rate.
 *
 * <p>A unit of work checks its rules before it writes, so that a {@link PeersException} it throws
 * leaves nothing behind and fails only that unit. Any other failure rolls the whole batch back; each
 * unit is then retried alone, so one bad unit cannot fail its neighbours.
 *
 * <p>A {@link StoreLostException} is not retried: the store's files are gone, and a retry would only
 * ask it again. That batch fails, every later write fails without reaching the store, and the loss
 * listener hears it once.
 *
 * <p>A {@link StoreUnavailableException} (a database server out of reach for now) fails that batch and
 * every write queued behind it, unretried and unacknowledged; later writes reach the store again, which
 * refuses them at once until it is back. A {@link CommitInDoubtException} holds its batch's answers until
 * the store knows whether the commit happened.
 */
final class GroupCommitter implements AutoCloseable {

    /** A write against the shared transaction; events it records are published after the commit. */
    @FunctionalInterface
    interface Work<T> {
        T run(StoreTransaction tx, List<PeersEvent> events);
    }

    private static final Pending<?> POISON = new Pending<>((tx, events) -> null);

    private final PeerStore store;
    private final CommitListener listener;
    private final Consumer<? super StoreLostException> onLost;
    private final int maxBatch;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<StoreLostException> lost = new AtomicReference<>();
    private final Thread writer;
    // Written by the writer thread only; read by anyone for stats (how large the groups grow).
    private volatile long commits;
    private volatile long unitsCommitted;

    /**
     * @param onLost told once, on the thread that met it, when the store was lost; must return quickly
     *               and must not throw
     */
    GroupCommitter(
            PeerStore store, CommitListener listener, Consumer<? super StoreLostException> onLost, int maxBatch) {
        this.store = store;
        this.listener = listener;
        this.onLost = onLost;
        this.maxBatch = maxBatch;
        this.writer = new Thread(this::loop, "peers-writer");
        this.writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    /** Runs {@code work} in the next transaction and waits for its commit. */
    <T> T submit(Work<T> work) {
        refuseIfLost();
        if (closed.get()) {
            throw new StoreException("the broker is shutting down; retry once it is back");
        }
        Pending<T> pending = new Pending<>(work);
        queue.add(pending);
        try {
            return pending.future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StoreException("write failed: " + cause, cause);
        }
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            boolean stop = batch.remove(POISON);
            if (!batch.isEmpty()) {
                try {
                    commit(batch);
                } catch (Throwable e) {
                    writerFailed(batch, e);
                }
            }
            batch.clear();
            if (stop) {
                failRemaining();
                return;
            }
        }
    }

    /**
     * An error no unit of work should throw (out of memory, a bug) escaped a commit: the batch's callers
     * are answered rather than left waiting, and the store counts as lost, so the broker stops instead of
     * acknowledging on with a writer in an unknown state.
     */
    private void writerFailed(List<Pending<?>> batch, Throwable e) {
        StoreLostException failure =
                new StoreLostException("the broker's writer failed: " + e + "; nothing more is written", e);
        for (Pending<?> pending : batch) {
            pending.future.completeExceptionally(failure);
        }
        storeLost(failure);
    }

    /** Throws when the store was lost: nothing can be written or read back any more. */
    void refuseIfLost() {
        StoreLostException refusal = refusal();
        if (refusal != null) {
            throw refusal;
        }
    }

    private StoreLostException refusal() {
        StoreLostException first = lost.get();
        return first == null ? null : new StoreLostException(first.getMessage(), first);
    }

    /** Records that the store was lost: later writes are refused; the listener hears the first report. */
    void storeLost(StoreLostException e) {
        if (lost.compareAndSet(null, e)) {
            tell(e);
        }
    }

    private void tell(StoreLostException e) {
        try {
            onLost.accept(e);
        } catch (RuntimeException ignored) {
            // Its contract forbids throwing; the refusals hold whatever it did.
        }
    }

    private void commit(List<Pending<?>> batch) {
        StoreLostException refusal = refusal();
        if (refusal != null) {
            for (Pending<?> pending : batch) {
                pending.future.completeExceptionally(refusal);
            }
            return;
        }
        List<PeersEvent> events = new ArrayList<>();
        try {
            store.inTransaction(tx -> {
                for (Pending<?> pending : batch) {
                    pending.runIn(tx, events);
                }
                return null;
            });
        } catch (StoreLostException e) {
            boolean first = lost.compareAndSet(null, e);
            // Answered before the listener hears it: a broker that stops then still sends these replies.
            for (Pending<?> pending : batch) {
                pending.future.completeExceptionally(e);
            }
            if (first) {
                tell(e);
            }
            return;
        } catch (CommitInDoubtException e) {
            holdUntilKnown(List.copyOf(batch), events, e);
            failQueued(new StoreUnavailableException(e.getMessage(), e));
            return;
        } catch (StoreUnavailableException e) {
            // Nothing was written; the store fails fast until it is back, so the queue is answered now.
            for (Pending<?> pending : batch) {
                pending.future.completeExceptionally(e);
            }
            failQueued(e);
            return;
        } catch (RuntimeException batchFailure) {
            if (batch.size() > 1) {
                for (Pending<?> pending : batch) {
                    pending.reset();
                    commit(List.of(pending));
                }
                return;
            }
            batch.get(0).future.completeExceptionally(asPeersException(batchFailure));
            return;
        }
        commits++;
        unitsCommitted += batch.size();
        publish(events);
        for (Pending<?> pending : batch) {
            pending.complete();
        }
    }

    /**
     * A batch whose commit the store could not confirm: its callers wait for the store to find out, then hear
     * the truth. Acknowledged only when it did commit (its events are published then); refused as unavailable
     * when it did not, so a caller's retry cannot duplicate it. The store completes the outcome before it
     * takes writes again, so nothing commits meanwhile.
     */
    private void holdUntilKnown(List<Pending<?>> held, List<PeersEvent> events, CommitInDoubtException doubt) {
        doubt.outcome().whenComplete((committed, failure) -> {
            if (failure == null && Boolean.TRUE.equals(committed)) {
                commits++;
                unitsCommitted += held.size();
                publish(events);
                for (Pending<?> pending : held) {
                    pending.complete();
                }
                return;
            }
            RuntimeException answer;
            if (failure == null) {
                answer = new StoreUnavailableException(
                        doubt.getMessage() + "; this write was not committed: nothing of it was kept", doubt);
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                answer = cause instanceof StoreLostException lostStore
                        ? lostStore
                        : new StoreException(
                                "the connection to the store broke while this write was committing, and whether it"
                                        + " was committed is unknown (" + cause.getMessage() + "): look"
                                        + " (history, check_messages) before doing it again",
                                cause);
            }
            for (Pending<?> pending : held) {
                pending.future.completeExceptionally(answer);
            }
            if (answer instanceof StoreLostException lostStore) {
                storeLost(lostStore);
            }
        });
    }

    /** Answers every write still queued with {@code refusal}; a queued stop stays queued. */
    private void failQueued(RuntimeException refusal) {
        List<Pending<?>> queued = new ArrayList<>();
        queue.drainTo(queued);
        for (Pending<?> pending : queued) {
            if (pending == POISON) {
                queue.add(POISON);
            } else {
                pending.future.completeExceptionally(refusal);
            }
        }
    }

    /** Transactions committed so far, and the units of work they held: their ratio is the group size. */
    WriterCounts counts() {
        return new WriterCounts(commits, unitsCommitted);
    }

    private void publish(List<PeersEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try {
            listener.committed(List.copyOf(events));
        } catch (RuntimeException ignored) {
            // The listener's contract forbids throwing; a broken one must not undo a commit.
        }
    }

    private static RuntimeException asPeersException(RuntimeException e) {
        if (e instanceof StoreConflictException conflict) {
            return conflict.reported(); // another writer of a shared store won a race the rules decide
        }
        return e instanceof PeersException ? e : new StoreException("the store failed: " + e.getMessage(), e);
    }

    private void failRemaining() {
        List<Pending<?>> rest = new ArrayList<>();
        queue.drainTo(rest);
        for (Pending<?> pending : rest) {
            pending.future.completeExceptionally(
                    new StoreException("the broker is shutting down; retry once it is back"));
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            queue.add(POISON);
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Pending<T> {
        final Work<T> work;
        final CompletableFuture<T> future = new CompletableFuture<>();
        T result;
        PeersException failure;

        Pending(Work<T> work) {
            this.work = work;
        }

        void runIn(StoreTransaction tx, List<PeersEvent> sharedEvents) {
            List<PeersEvent> local = new ArrayList<>();
            try {
                result = work.run(tx, local);
                sharedEvents.addAll(local);
            } catch (StoreException e) {
                throw e;
            } catch (PeersException e) {
                failure = e;
            }
        }

        void reset() {
            result = null;
            failure = null;
        }

        void complete() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        }
    }
}
