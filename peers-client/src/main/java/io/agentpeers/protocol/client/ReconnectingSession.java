package io.agentpeers.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.protocol.BrokerInfo;
import io.agentpeers.protocol.VersionMismatchException;
import io.agentpeers.protocol.codec.BrokerJson;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import io.agentpeers.protocol.wire.WireJson;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection a {@link PeersClient} talks through: the current {@link RpcSession}, opened with
 * {@code hello} and, after a loss, replaced by a {@link ReconnectLoop} (when
 * {@link ClientOptions#reconnect()} is on). Each fresh session is handed to a resume hook (the client
 * re-registers by its secret and subscribes again) before requests use it; requests made meanwhile
 * wait for it up to their timeout. Thread-safe; {@link #close()} is idempotent.
 */
final class ReconnectingSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingSession.class);

    private final TransportConnector connector;
    private final ClientOptions options;
    private final Consumer<JsonRpcRequest> notifications;
    private final Consumer<RpcSession> resume;
    private final Runnable reconnected;
    private final Runnable disconnected;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object lock = new Object();
    private final ReconnectLoop reconnects;

    private RpcSession session; // guarded by lock; null while disconnected
    private volatile BrokerInfo hello;

    /**
     * @param notifications receives the broker's notifications, on a reader thread
     * @param resume        brings a fresh session after a reconnect up to where the lost one was; throws when it cannot
     * @param reconnected   runs after each successful reconnect, on the reconnect thread
     * @param disconnected  runs when the current session is lost and reconnecting begins, on the thread that saw it
     */
    ReconnectingSession(
            TransportConnector connector,
            ClientOptions options,
            Consumer<JsonRpcRequest> notifications,
            Consumer<RpcSession> resume,
            Runnable reconnected,
            Runnable disconnected) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.options = Objects.requireNonNull(options, "options");
        this.notifications = notifications;
        this.resume = resume;
        this.reconnected = reconnected;
        this.disconnected = disconnected;
        this.reconnects = new ReconnectLoop(connector.address(), this::reconnectOnce, closed::get);
    }

    /** Opens the first session; throws what connecting or {@code hello} threw. */
    void open() {
        RpcSession first = openSession();
        boolean lostAlready;
        synchronized (lock) {
            lostAlready = !first.alive();
            session = lostAlready ? null : first;
        }
        if (lostAlready && options.reconnect()) {
            reconnects.start(); // its end came before it was current, so it started none
        }
    }

    /** The broker's answer to the latest {@code hello}. */
    BrokerInfo brokerInfo() {
        return hello;
    }

    String address() {
        return connector.address();
    }

    boolean connected() {
        synchronized (lock) {
            return session != null && session.alive();
        }
    }

    /** One request on the current session, waiting for one (while reconnecting) within the same timeout. */
    JsonNode call(String method, JsonNode params, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return awaitSession(deadline, method).request(method, params, deadline);
    }

    private RpcSession awaitSession(long deadline, String method) {
        synchronized (lock) {
            while (true) {
                if (closed.get()) {
                    throw new BrokerUnavailableException("this client is closed");
                }
                if (session != null && session.alive()) {
                    return session;
                }
                if (!options.reconnect()) {
                    throw new BrokerUnavailableException(
                            "the connection to the broker at " + connector.address() + " is closed; connect again");
                }
                long waitNanos = deadline - System.nanoTime();
                if (waitNanos <= 0) {
                    throw new BrokerUnavailableException("no broker answered at " + connector.address() + " for "
                            + method + "; start one with `peers broker start`");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerUnavailableException("interrupted while waiting for the broker", e);
                }
            }
        }
    }

    /** Connects and says hello. */
    private RpcSession openSession() {
        ClientConnection connection = connector.connect();
        RpcSession fresh = new RpcSession(connection, connector.address(), notifications, this::connectionLost);
        fresh.start();
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        try {
            ObjectNode helloParams = WireJson.mapper()
                    .createObjectNode()
                    .put("protocol", PeersClient.PROTOCOL_VERSION)
                    .put("client", options.clientName());
            if (options.token() != null) {
                helloParams.put("token", options.token());
            }
            BrokerInfo answer = BrokerJson.brokerInfo(fresh.request("hello", helloParams, deadline));
            if (answer.protocol() != PeersClient.PROTOCOL_VERSION) {
                throw new VersionMismatchException("the broker speaks protocol " + answer.protocol()
                        + " and this client " + PeersClient.PROTOCOL_VERSION + ": restart the broker with the same"
                        + " peers version (peers broker stop), or upgrade the client");
            }
            hello = answer;
            return fresh;
        } catch (RuntimeException e) {
            fresh.kill();
            throw e;
        }
    }

    /** Called by each session as it ends; only the loss of the current one starts a reconnect. */
    private void connectionLost(RpcSession lost, Throwable cause) {
        boolean current;
        synchronized (lock) {
            current = session == lost;
            if (current) {
                session = null;
            }
            lock.notifyAll();
        }
        if (!current || closed.get() || !options.reconnect()) {
            return;
        }
        LOG.info(
                "lost the connection to the broker at {} ({}); reconnecting",
                connector.address(),
                cause == null ? "closed" : cause.getMessage());
        disconnected.run();
        reconnects.start();
    }

    /** One reconnect: a fresh session, resumed, then made current; throws when any step fails. */
    private void reconnectOnce() {
        synchronized (lock) {
            if (session != null && session.alive()) {
                return; // connected already: resuming again would meet our own live peer
            }
        }
        RpcSession fresh = openSession();
        try {
            resume.accept(fresh);
            synchronized (lock) {
                if (closed.get()) {
                    fresh.kill();
                    return;
                }
                if (!fresh.alive()) {
                    // It ended before it was current, so its end started no reconnect: this loop goes on.
                    throw new BrokerUnavailableException(
                            "the connection to " + connector.address() + " closed while resuming");
                }
                session = fresh;
                lock.notifyAll();
            }
        } catch (RuntimeException e) {
            fresh.kill();
            throw e;
        }
        reconnected.run();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RpcSession current;
        synchronized (lock) {
            current = session;
            session = null;
            lock.notifyAll();
        }
        if (current != null) {
            current.kill();
        }
        reconnects.stop();
    }
}
