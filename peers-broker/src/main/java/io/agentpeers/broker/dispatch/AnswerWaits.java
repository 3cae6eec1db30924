package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.broker.server.ServerConnection;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.QuestionState;
import io.agentpeers.core.SendResult;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@code ask} and {@code await_answer} calls in progress: each answers once, with the answer to its
 * question as soon as one is committed, or with the question's state when its time is up. A waiter is
 * registered before its question is sent and looks in the store after, so an answer committed at any
 * moment is never missed. A waiter holds no thread; one timer thread serves them all.
 */
final class AnswerWaits {
    private final PeerNetwork network;
    private final Function<QuestionState, JsonNode> render;
    private final Map<PeerId, List<Waiter>> waiters = new ConcurrentHashMap<>();
    /** The dispatcher's timer thread, shared with the other waits; the dispatcher stops it. */
    private final ScheduledExecutorService timers;

    /** @param render a question's state as the result of the call */
    AnswerWaits(PeerNetwork network, Function<QuestionState, JsonNode> render, ScheduledExecutorService timers) {
        this.network = network;
        this.render = render;
        this.timers = timers;
    }

    /**
     * Sends a question for {@code asker} through {@code send} and answers {@code requestId} when the answer
     * comes or after {@code timeoutMillis}. A failed send throws, and nothing stays registered.
     */
    void ask(
            ServerConnection connection,
            JsonNode requestId,
            PeerId asker,
            Supplier<SendResult> send,
            long timeoutMillis) {
        Waiter waiter = register(connection, requestId, asker);
        SendResult sent;
        try {
            sent = send.get();
        } catch (RuntimeException e) {
            waiter.cancel();
            throw e;
        }
        waiter.question = sent.message().id();
        waiter.from = sent.message().recipient();
        lookThenWait(waiter, timeoutMillis);
    }

    /** Waits again for the answer to {@code questionId}, which the asker asked earlier. */
    void await(ServerConnection connection, JsonNode requestId, PeerId asker, long questionId, long timeoutMillis) {
        QuestionState state = network.question(asker, questionId); // throws for a message that is no question of theirs
        Waiter waiter = register(connection, requestId, asker);
        waiter.question = questionId;
        waiter.from = state.question().recipient();
        lookThenWait(waiter, timeoutMillis);
    }

    private Waiter register(ServerConnection connection, JsonNode requestId, PeerId asker) {
        Waiter waiter = new Waiter(connection, requestId, asker);
        waiters.computeIfAbsent(asker, p -> new CopyOnWriteArrayList<>()).add(waiter);
        return waiter;
    }

    private void lookThenWait(Waiter waiter, long timeoutMillis) {
        QuestionState now;
        try {
            now = network.question(waiter.asker, waiter.question);
        } catch (RuntimeException e) {
            waiter.cancel();
            throw e;
        }
        if (now.answered() || timeoutMillis == 0) {
            waiter.complete(now);
            return;
        }
        waiter.timeout = timers.schedule(waiter::completeFromStore, timeoutMillis, TimeUnit.MILLISECONDS);
        if (waiter.done.get()) {
            waiter.stopTimer(); // answered between the look and the timer
        }
    }

    /** A message was committed: the waiter whose question it answers answers its call. */
    void committed(Message message) {
        if (message.replyTo() == null || message.state() == MessageState.HELD) {
            return;
        }
        List<Waiter> list = waiters.get(message.recipient());
        if (list == null || list.isEmpty()) {
            return;
        }
        for (Waiter waiter : list) {
            Long question = waiter.question;
            if (question != null
                    && question == message.replyTo()
                    && message.sender().equals(waiter.from)) {
                waiter.completeFromStore();
            }
        }
    }

    /** The connection let go of {@code peer}: its waiters end without an answer. */
    void cancel(PeerId peer, ServerConnection connection) {
        List<Waiter> list = waiters.get(peer);
        if (list != null) {
            list.removeIf(waiter -> waiter.connection == connection && waiter.stop());
        }
    }

    /** One wait for one answer. Completes exactly once. */
    private final class Waiter {
        final ServerConnection connection;
        final JsonNode requestId;
        final PeerId asker;
        final AtomicBoolean done = new AtomicBoolean();
        volatile Long question;
        volatile PeerId from;
        volatile ScheduledFuture<?> timeout;

        Waiter(ServerConnection connection, JsonNode requestId, PeerId asker) {
            this.connection = connection;
            this.requestId = requestId;
            this.asker = asker;
        }

        /** Completes with the question's state as the store has it now, or with the error that reading met. */
        void completeFromStore() {
            try {
                complete(network.question(asker, question));
            } catch (PeersException e) {
                if (stop()) {
                    remove();
                    if (requestId != null) {
                        connection.send(JsonRpcResponse.failure(requestId, JsonRpcError.of(e))
                                .toLine());
                    }
                }
            }
        }

        void complete(QuestionState state) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            stopTimer();
            remove();
            if (requestId != null) {
                connection.send(
                        JsonRpcResponse.success(requestId, render.apply(state)).toLine());
            }
        }

        /** Ends it without an answer and leaves it registered: for callers that remove it themselves. */
        boolean stop() {
            if (done.compareAndSet(false, true)) {
                stopTimer();
                return true;
            }
            return false;
        }

        void cancel() {
            stop();
            remove();
        }

        private void remove() {
            List<Waiter> list = waiters.get(asker);
            if (list != null) {
                list.remove(this);
            }
        }

        void stopTimer() {
            ScheduledFuture<?> pending = timeout;
            if (pending != null) {
                pending.cancel(false);
            }
        }
    }
}
