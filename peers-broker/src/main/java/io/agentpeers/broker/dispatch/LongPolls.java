package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.broker.server.ServerConnection;
import io.agentpeers.core.Message;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code wait} calls in progress: each answers once, with the first messages committed for its
 * peer or with none when its time is up. A waiter holds no thread; one timer thread serves them all.
 */
final class LongPolls {
    private final PeerNetwork network;
    private final Envelopes envelopes;
    private final Map<PeerId, List<Waiter>> waiters = new ConcurrentHashMap<>();
    /** The dispatcher's timer thread, shared with the other waits; the dispatcher stops it. */
    private final ScheduledExecutorService timers;

    LongPolls(PeerNetwork network, Envelopes envelopes, ScheduledExecutorService timers) {
        this.network = network;
        this.envelopes = envelopes;
        this.timers = timers;
    }

    /**
     * Answers {@code requestId} on {@code connection} with up to {@code limit} pending messages of
     * {@code peer}: at once if there are some (or the timeout is zero), else when one is committed.
     */
    void await(ServerConnection connection, JsonNode requestId, PeerId peer, int limit, long timeoutMillis) {
        Waiter waiter = new Waiter(connection, requestId, peer, limit);
        waiters.computeIfAbsent(peer, p -> new CopyOnWriteArrayList<>()).add(waiter);
        // Registered before looking, so that a message committed in between still wakes it.
        List<Message> now = network.pending(peer, limit);
        if (!now.isEmpty() || timeoutMillis == 0) {
            waiter.complete(now);
            return;
        }
        waiter.timeout = timers.schedule(() -> waiter.complete(List.of()), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** A message for {@code recipient} was committed: its waiters answer. */
    void wake(PeerId recipient) {
        List<Waiter> list = waiters.get(recipient);
        if (list == null || list.isEmpty()) {
            return;
        }
        for (Waiter waiter : list) {
            waiter.complete(network.pending(recipient, waiter.limit));
        }
    }

    /** The connection let go of {@code peer}: its waiters end without an answer. */
    void cancel(PeerId peer, ServerConnection connection) {
        List<Waiter> list = waiters.get(peer);
        if (list != null) {
            list.removeIf(waiter -> waiter.connection == connection && waiter.cancel());
        }
    }

    /** One long poll. Completes exactly once. */
    private final class Waiter {
        final ServerConnection connection;
        final JsonNode requestId;
        final PeerId peer;
        final int limit;
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timeout;

        Waiter(ServerConnection connection, JsonNode requestId, PeerId peer, int limit) {
            this.connection = connection;
            this.requestId = requestId;
            this.peer = peer;
            this.limit = limit;
        }

        void complete(List<Message> messages) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            stopTimer();
            List<Waiter> list = waiters.get(peer);
            if (list != null) {
                list.remove(this);
            }
            if (requestId != null) {
                connection.send(JsonRpcResponse.success(requestId, envelopes.messages(messages))
                        .toLine());
            }
        }

        boolean cancel() {
            if (done.compareAndSet(false, true)) {
                stopTimer();
                return true;
            }
            return false;
        }

        private void stopTimer() {
            ScheduledFuture<?> pending = timeout;
            if (pending != null) {
                pending.cancel(false);
            }
        }
    }
}
