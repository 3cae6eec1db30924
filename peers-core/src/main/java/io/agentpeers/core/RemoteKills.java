package io.agentpeers.core;

import io.agentpeers.core.port.StoreTransaction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The asking side of kills across brokers: each request this broker committed waits here for the holder's
 * answer, which the store's bell brings ({@link #ring}), for at most {@link #BOUND}. Then the request is voided
 * in the store, unless the holder took it first, so that it is never carried out later; the caller hears
 * {@link KillUnansweredException}. Nothing blocks a thread while it waits: the answer completes a future.
 *
 * <p>Thread-safe: the bell's thread, the timer's and the callers' meet here; whoever removes a request from
 * the waiting ones completes it, once.
 */
final class RemoteKills implements AutoCloseable {
    /** How long a request waits for its holder: also the holder's bound, past which it never acts on it. */
    static final Duration BOUND = Duration.ofSeconds(5);

    /** Runs store work on the network's reader or writer. */
    interface Store {
        <T> T read(Function<StoreTransaction, T> work);

        <T> T write(Function<StoreTransaction, T> work);
    }

    private record Waiting(Peer victim, CompletableFuture<KillResult> future) {}

    private final Store store;
    private final Duration bound;
    private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "peers-kill-timer");
        thread.setDaemon(true);
        return thread;
    });

    RemoteKills(Store store, Duration bound) {
        this.store = store;
        this.bound = bound;
    }

    /** Waits for the answer to request {@code id} (committed) about {@code victim}, another broker's peer. */
    CompletableFuture<KillResult> await(long id, Peer victim) {
        CompletableFuture<KillResult> future = new CompletableFuture<>();
        waiting.put(id, new Waiting(victim, future));
        timer.schedule(() -> timedOut(id), bound.toMillis(), TimeUnit.MILLISECONDS);
        ring(); // the answer may have come before this waited for it
        return future;
    }

    /** Reads the answers to the requests that wait, and completes those answered. */
    void ring() {
        if (waiting.isEmpty()) {
            return;
        }
        List<Long> ids = List.copyOf(waiting.keySet());
        Map<Long, KillOutcome> outcomes = store.read(tx -> tx.killOutcomes(ids));
        outcomes.forEach(this::answer);
    }

    private void timedOut(long id) {
        Waiting w = waiting.get(id);
        if (w == null) {
            return;
        }
        try {
            if (store.write(tx -> tx.voidKillRequest(id))) {
                fail(
                        id,
                        unanswered(
                                w.victim(),
                                "did not take the request within " + bound.toSeconds() + " s",
                                "nothing was signalled, and the request is void: it will never be carried out later. Try"
                                        + " again once that broker is back, or kill it on its machine"));
                return;
            }
            KillOutcome outcome = store.read(tx -> tx.killOutcomes(List.of(id))).get(id);
            if (outcome != null) {
                answer(id, outcome);
            } else {
                fail(
                        id,
                        unanswered(
                                w.victim(),
                                "took the request but gave no answer within " + bound.toSeconds() + " s",
                                "it may or may not have signalled; see that broker's log"));
            }
        } catch (PeersException e) {
            fail(id, e);
        } catch (RuntimeException e) {
            fail(id, new StoreException("the kill request " + id + " could not be settled: " + e, e));
        }
    }

    private void answer(long id, KillOutcome outcome) {
        Waiting w = waiting.remove(id);
        if (w == null) {
            return;
        }
        if (!outcome.wasRefused()) {
            w.future().complete(new KillResult(w.victim(), outcome.signalled()));
            return;
        }
        String reason = "the broker " + holderName(w.victim()) + " that holds "
                + w.victim().displayName() + " refused the kill: " + outcome.reason();
        w.future()
                .completeExceptionally(
                        outcome.refusal() == ErrorCode.NOT_AUTHORIZED
                                ? new NotAuthorizedException(reason)
                                : new KillRefusedException(reason));
    }

    private void fail(long id, PeersException e) {
        Waiting w = waiting.remove(id);
        if (w != null) {
            w.future().completeExceptionally(e);
        }
    }

    private static KillUnansweredException unanswered(Peer victim, String what, String then) {
        return new KillUnansweredException("the broker " + holderName(victim) + " that holds " + victim.displayName()
                + " " + what + " (it is stopped, cut off from the database, or lapsed, and then its peers are"
                + " marked gone after the lease): " + then);
    }

    static String holderName(Peer victim) {
        PeerHolder holder = victim.holder();
        if (holder == null) {
            return "(this one)";
        }
        return holder.brokerId() + (holder.host() == null ? "" : " on " + holder.host());
    }

    /** Fails every request still waiting: the network closes. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (Long id : List.copyOf(waiting.keySet())) {
            fail(id, new StoreException("the broker is shutting down; the kill request's answer was not awaited"));
        }
    }
}
