package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.broker.server.ServerConnection;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.PeersEvent;
import io.agentpeers.core.port.CommitListener;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a commit, on one thread of its own so the writer never waits for a socket: each new
 * message is pushed to its recipient's connection when it subscribed, its long polls wake, the caches
 * follow the peers, and observers hear every event.
 */
final class Pushes implements CommitListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pushes.class);

    private final Connections connections;
    private final Envelopes envelopes;
    private final LongPolls polls;
    private final AnswerWaits answers;
    private final PeerJsonCache peerJson;
    private final List<Consumer<PeersEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService pusher = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "peers-push");
        thread.setDaemon(true);
        return thread;
    });

    Pushes(Connections connections, Envelopes envelopes, LongPolls polls, AnswerWaits answers, PeerJsonCache peerJson) {
        this.connections = connections;
        this.envelopes = envelopes;
        this.polls = polls;
        this.answers = answers;
        this.peerJson = peerJson;
    }

    @Override
    public void committed(List<PeersEvent> events) {
        pusher.execute(() -> {
            for (PeersEvent event : events) {
                try {
                    handle(event);
                } catch (RuntimeException e) {
                    LOG.warn(
                            "event=error push of {} failed: {}",
                            event.getClass().getSimpleName(),
                            e.toString());
                }
            }
        });
    }

    /** A notification line: {@code {"jsonrpc":"2.0","method":...,"params":...}}. */
    static String notification(String method, JsonNode params) {
        return JsonRpcRequest.notification(method, params).toLine();
    }

    private void handle(PeersEvent event) {
        if (event instanceof PeersEvent.MessageSent sent) {
            Message message = sent.message();
            if (message.state() != MessageState.HELD) { // held: stored, not delivered until released
                ServerConnection holder = connections.holder(message.recipient());
                if (holder != null) {
                    Session session = holder.attachment(Session.class);
                    if (session != null && session.subscribed) {
                        holder.send(notification("message", envelopes.envelope(message)));
                    }
                }
                polls.wake(message.recipient());
                answers.committed(message);
            }
        } else if (event instanceof PeersEvent.PeerJoined joined) {
            envelopes.remember(joined.peer());
        } else if (event instanceof PeersEvent.PeerUpdated updated) {
            envelopes.remember(updated.peer());
        } else if (event instanceof PeersEvent.PeerLeft left) {
            envelopes.forget(left.peer().id());
            peerJson.forget(left.peer().id());
        }
        if (connections.observed()) {
            connections.toObservers(notification("event", ObserverEvents.describe(event)));
        }
        if (!listeners.isEmpty()) {
            listeners.forEach(listener -> listener.accept(event));
        }
    }

    /** Hands every event to {@code listener} from now on, on this thread, until the result is closed. */
    AutoCloseable listen(Consumer<PeersEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        pusher.shutdown();
        try {
            pusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
