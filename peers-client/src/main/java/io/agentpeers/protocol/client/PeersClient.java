package io.agentpeers.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Message;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.wire.FramingException;
import io.agentpeers.protocol.wire.LineReader;
import io.agentpeers.protocol.wire.LineWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java client of a peers broker (docs/protocol.md). One client is one connection and, once
 * {@link #register registered}, one peer.
 *
 * <p>It reconnects by itself when the connection drops or the broker restarts (when
 * {@link ClientOptions#reconnect()} is on): it resumes its peer with its resume secret (same id,
 * name and pending messages) and subscribes again; requests made meanwhile wait for the broker up to
 * the request timeout. Pushed messages reach a {@link MessageListener} in order, deduplicated by id,
 * and are acknowledged after the listener returns, so nothing acknowledged is lost and nothing
 * unacknowledged is dropped.
 *
 * <p>Thread-safe. Callbacks run on one thread of the client's own; they may call the client.
 * {@link #close()} is idempotent.
 */
public final class PeersClient implements AutoCloseable {
    /** The protocol version this client speaks. */
    public static final int PROTOCOL_VERSION = 1;
    /** This library's version. */
    public static final String VERSION = io.agentpeers.protocol.PeersVersion.VERSION;

    private static final Logger LOG = LoggerFactory.getLogger(PeersClient.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int SEEN_IDS = 10_000;

    private final TransportConnector connector;
    private final ClientOptions options;
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService callbacks;
    private final Object sessionLock = new Object();
    private final LinkedHashSet<Long> seen = new LinkedHashSet<>();

    private Session session; // guarded by sessionLock; null while disconnected
    private volatile JsonNode hello;
    private volatile RegisterRequest registration;
    private volatile String resumeSecret;
    private volatile PeerInfo self;
    private volatile MessageListener messageListener;
    private volatile Consumer<JsonNode> eventListener;
    private volatile Runnable reconnectListener;
    private volatile Thread reconnector;

    private PeersClient(TransportConnector connector, ClientOptions options) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.options = Objects.requireNonNull(options, "options");
        this.callbacks = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "peers-client-callbacks");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects and says {@code hello}.
     *
     * @throws BrokerUnavailableException when no broker answers at the connector's address
     * @throws BrokerException when the broker refuses (wrong token, another protocol version)
     */
    public static PeersClient connect(TransportConnector connector, ClientOptions options) {
        PeersClient client = new PeersClient(connector, options);
        try {
            Session first = client.openSession();
            synchronized (client.sessionLock) {
                client.session = first;
            }
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    public static PeersClient connect(TransportConnector connector) {
        return connect(connector, ClientOptions.defaults());
    }

    // ------------------------------------------------------------ the API

    /** The broker's answer to {@code hello}: its version, the transport and the credentials it read. */
    public JsonNode brokerInfo() {
        return hello;
    }

    /** Registers (or resumes) the peer this client holds; remembered for automatic resume. */
    public Results.Registered register(RegisterRequest request) {
        Objects.requireNonNull(request, "request");
        JsonNode result = call("register", registerParams(request), options.requestTimeout());
        adoptRegistration(request, result);
        return new Results.Registered(self, result.path("resumed").asBoolean(), result.path("pending").asInt());
    }

    /** The peer this client holds, as of its last registration or update; null before {@link #register}. */
    public PeerInfo self() {
        return self;
    }

    /** The secret that resumes this peer from another process; keep it private. */
    public String resumeSecret() {
        return resumeSecret;
    }

    public PeerInfo whoami() {
        self = PeersJson.peerInfo(call("whoami", null).get("peer"));
        return self;
    }

    public PeerInfo setSummary(String summary) {
        self = PeersJson.peerInfo(call("set_summary", params().put("summary", summary)).get("peer"));
        return self;
    }

    /** Sets the name, or clears it with null. */
    public PeerInfo setName(String name) {
        self = PeersJson.peerInfo(call("set_name", params().put("name", name)).get("peer"));
        return self;
    }

    public List<PeerInfo> listPeers(Scope scope) {
        return PeersJson.peerInfos(call("list_peers", params().put("scope", scope.wireName())).get("peers"));
    }

    /** A peer by id or name, live or gone. */
    public PeerInfo getPeer(String idOrName) {
        return PeersJson.peerInfo(call("get_peer", params().put("peer", idOrName)).get("peer"));
    }

    public Results.Sent send(String to, String text) {
        return send(to, text, null);
    }

    /** Sends a message; when this returns, the broker has stored it durably. */
    public Results.Sent send(String to, String text, Long replyTo) {
        JsonNode result = call("send", params().put("to", to).put("text", text).put("reply_to", replyTo));
        return new Results.Sent(PeersJson.messageFrom(result.get("message")), PeersJson.peerInfo(result.get("recipient")));
    }

    public List<Message> broadcast(Scope scope, String text) {
        return PeersJson.messagesFrom(call("broadcast", params().put("scope", scope.wireName()).put("text", text))
                .get("messages"));
    }

    /**
     * Pushes every pending message, and each new one, to {@code listener}; survives reconnects.
     * Replaces an earlier listener.
     */
    public void subscribe(MessageListener listener) {
        this.messageListener = Objects.requireNonNull(listener, "listener");
        call("subscribe", null);
    }

    public void unsubscribe() {
        this.messageListener = null;
        call("unsubscribe", null);
    }

    /** Acknowledges messages (pending → delivered). Returns how many changed. */
    public int ack(Collection<Long> ids) {
        return call("ack", params().set("ids", idArray(ids))).path("delivered").asInt();
    }

    /** Marks messages read (shown to the agent or person). Returns how many changed. */
    public int markRead(Collection<Long> ids) {
        return call("mark_read", params().set("ids", idArray(ids))).path("read").asInt();
    }

    /** Messages no connection acknowledged yet, oldest first; changes nothing. */
    public List<Envelope> pending(int limit) {
        return PeersJson.envelopesFrom(call("pending", params().put("limit", limit)).get("messages"));
    }

    /** Messages not yet read, oldest first; changes nothing. */
    public List<Envelope> unread(int limit) {
        return PeersJson.envelopesFrom(call("unread", params().put("limit", limit)).get("messages"));
    }

    /** Long poll: pending messages at once if any, else the first to arrive within {@code timeout}, else none. */
    public List<Envelope> waitForMessages(Duration timeout, int limit) {
        ObjectNode params = params().put("timeout_ms", timeout.toMillis()).put("limit", limit);
        return PeersJson.envelopesFrom(call("wait", params, timeout.plus(options.requestTimeout())).get("messages"));
    }

    /** Messages sent or received, newest first; only those with {@code with} (id or name) when not null. */
    public List<Message> history(String with, int limit) {
        return PeersJson.messagesFrom(call("history", params().put("with", with).put("limit", limit)).get("messages"));
    }

    /** A message this peer sent or received, with its current state. */
    public Message message(long id) {
        return PeersJson.messageFrom(call("get_message", params().put("id", id)).get("message"));
    }

    /** Ends the agent process of another peer (irreversible; for stuck peers). */
    public Results.Killed kill(String peer) {
        JsonNode result = call("kill", params().put("peer", peer));
        return new Results.Killed(PeersJson.peerInfo(result.get("peer")), result.path("signalled").asBoolean());
    }

    /** Leaves for good: the peer is gone and its name free at once. */
    public void unregister() {
        call("unregister", null);
        registration = null;
        resumeSecret = null;
    }

    public JsonNode ping() {
        return call("ping", null);
    }

    /** The broker's statistics (docs/protocol.md, {@code stats}). */
    public JsonNode stats() {
        return call("stats", null);
    }

    /** Receives every {@code event} notification (peers joining and leaving, messages flowing). */
    public void observe(Consumer<JsonNode> listener) {
        this.eventListener = Objects.requireNonNull(listener, "listener");
        call("observe", null);
    }

    /** Asks the broker to stop (same uid, Unix socket only). */
    public void shutdownBroker() {
        call("shutdown", null);
    }

    /** Runs after each automatic reconnect and resume, on the callback thread. */
    public void onReconnect(Runnable listener) {
        this.reconnectListener = listener;
    }

    /** Whether a connection is up right now. */
    public boolean connected() {
        synchronized (sessionLock) {
            return session != null && !session.dead.get();
        }
    }

    /** Any request by method name, for methods this class has no wrapper for. */
    public JsonNode call(String method, ObjectNode params) {
        return call(method, params, options.requestTimeout());
    }

    // ------------------------------------------------------------ plumbing

    private static ObjectNode params() {
        return MAPPER.createObjectNode();
    }

    private static ArrayNode idArray(Collection<Long> ids) {
        ArrayNode array = MAPPER.createArrayNode();
        ids.forEach(array::add);
        return array;
    }

    private static ObjectNode registerParams(RegisterRequest request) {
        ObjectNode node = params();
        node.put("cwd", request.cwd());
        node.put("client_type", request.clientType().wireName());
        node.put("agent_pid", request.agentPid());
        node.put("name", request.name());
        node.put("git_root", request.gitRoot());
        node.put("repo_key", request.repoKey());
        node.put("tty", request.tty());
        node.put("summary", request.summary());
        node.put("resume_secret", request.resumeSecret());
        return node;
    }

    private void adoptRegistration(RegisterRequest request, JsonNode result) {
        self = PeersJson.peerInfo(result.get("peer"));
        resumeSecret = result.get("resume_secret").asText();
        // Later resumes keep the name and summary the peer has by then, not the first request's.
        registration = request.withName(null).withResumeSecret(null);
    }

    private JsonNode call(String method, ObjectNode params, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Session current = awaitSession(deadline, method);
        return current.request(method, params, deadline);
    }

    private Session awaitSession(long deadline, String method) {
        synchronized (sessionLock) {
            while (true) {
                if (closed.get()) {
                    throw new BrokerUnavailableException("this client is closed");
                }
                if (session != null && !session.dead.get()) {
                    return session;
                }
                if (!options.reconnect()) {
                    throw new BrokerUnavailableException("the connection to the broker at " + connector.address()
                            + " is closed; connect again");
                }
                long waitNanos = deadline - System.nanoTime();
                if (waitNanos <= 0) {
                    throw new BrokerUnavailableException("no broker answered at " + connector.address() + " for "
                            + method + "; start one with `peers broker start`");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(sessionLock, waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerUnavailableException("interrupted while waiting for the broker", e);
                }
            }
        }
    }

    /** Connects, says hello, and (after a reconnect) resumes and subscribes again. */
    private Session openSession() {
        ClientConnection connection = connector.connect();
        Session fresh = new Session(connection);
        fresh.start();
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        try {
            ObjectNode helloParams = params().put("protocol", PROTOCOL_VERSION).put("client", options.clientName());
            if (options.token() != null) {
                helloParams.put("token", options.token());
            }
            JsonNode answer = fresh.request("hello", helloParams, deadline);
            int brokerProtocol = answer.path("protocol").asInt(-1);
            if (brokerProtocol != PROTOCOL_VERSION) {
                throw new BrokerException(-32000, "version_mismatch", "the broker speaks protocol " + brokerProtocol
                        + " and this client " + PROTOCOL_VERSION + ": restart the broker with the same peers version"
                        + " (peers broker stop), or upgrade the client", null);
            }
            hello = answer;
            return fresh;
        } catch (RuntimeException e) {
            fresh.kill();
            throw e;
        }
    }

    private void resumeOn(Session fresh) {
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        RegisterRequest request = registration;
        if (request != null) {
            RegisterRequest resume = request.withResumeSecret(resumeSecret);
            JsonNode result;
            try {
                result = fresh.request("register", registerParams(resume), deadline);
            } catch (BrokerException e) {
                if (!"resume_refused".equals(e.code()) || e.getMessage().contains("still connected")) {
                    throw e;
                }
                LOG.warn("the broker no longer knows this peer ({}); registering as a new peer", e.getMessage());
                result = fresh.request("register", registerParams(request), deadline);
            }
            adoptRegistration(request, result);
        }
        if (messageListener != null) {
            fresh.request("subscribe", null, deadline);
        }
        if (eventListener != null) {
            fresh.request("observe", null, deadline);
        }
    }

    private void connectionLost(Session lost, Throwable cause) {
        synchronized (sessionLock) {
            if (session == lost) {
                session = null;
            }
            sessionLock.notifyAll();
        }
        if (closed.get() || !options.reconnect()) {
            return;
        }
        LOG.info("lost the connection to the broker at {} ({}); reconnecting", connector.address(),
                cause == null ? "closed" : cause.getMessage());
        startReconnector();
    }

    private synchronized void startReconnector() {
        if (reconnector != null && reconnector.isAlive()) {
            return;
        }
        reconnector = new Thread(this::reconnectLoop, "peers-client-reconnect");
        reconnector.setDaemon(true);
        reconnector.start();
    }

    private void reconnectLoop() {
        long backoffMillis = 50;
        while (!closed.get()) {
            Session fresh = null;
            try {
                fresh = openSession();
                resumeOn(fresh);
                synchronized (sessionLock) {
                    if (closed.get()) {
                        fresh.kill();
                        return;
                    }
                    session = fresh;
                    sessionLock.notifyAll();
                }
                LOG.info("reconnected to the broker at {} as {}", connector.address(),
                        self == null ? "(unregistered)" : self.displayName());
                Runnable listener = reconnectListener;
                if (listener != null) {
                    callbacks.execute(listener);
                }
                return;
            } catch (RuntimeException e) {
                if (fresh != null) {
                    fresh.kill();
                }
                LOG.debug("reconnect to {} failed: {}", connector.address(), e.getMessage());
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoffMillis = Math.min(1000, backoffMillis * 2);
        }
    }

    private void onNotification(JsonNode line) {
        String method = line.path("method").asText();
        JsonNode params = line.path("params");
        switch (method) {
            case "message" -> callbacks.execute(() -> deliver(PeersJson.envelopeFrom(params)));
            case "event" -> {
                Consumer<JsonNode> listener = eventListener;
                if (listener != null) {
                    callbacks.execute(() -> listener.accept(params));
                }
            }
            case "closing" -> LOG.info("the broker is closing the connection: {}", params.path("reason").asText());
            default -> LOG.debug("ignoring notification {}", method);
        }
    }

    private void deliver(Envelope envelope) {
        MessageListener listener = messageListener;
        long id = envelope.message().id();
        boolean fresh;
        synchronized (seen) {
            fresh = !seen.contains(id);
        }
        if (listener == null) {
            return;
        }
        try {
            if (fresh) {
                listener.onMessage(envelope);
                synchronized (seen) {
                    seen.add(id);
                    if (seen.size() > SEEN_IDS) {
                        seen.remove(seen.iterator().next());
                    }
                }
            }
            ack(List.of(id));
        } catch (Exception e) {
            LOG.warn("message {} stays pending: {}", id, e.toString());
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Session current;
        synchronized (sessionLock) {
            current = session;
            session = null;
            sessionLock.notifyAll();
        }
        if (current != null) {
            current.kill();
        }
        Thread thread = reconnector;
        if (thread != null) {
            thread.interrupt();
        }
        callbacks.shutdown();
    }

    /** One connection: a writer, a reader thread, and the requests waiting for replies. */
    private final class Session {
        final ClientConnection connection;
        final LineWriter writer;
        final Map<Long, CompletableFuture<JsonNode>> inflight = new ConcurrentHashMap<>();
        final AtomicBoolean dead = new AtomicBoolean();
        final Thread reader;

        Session(ClientConnection connection) {
            this.connection = connection;
            this.writer = new LineWriter(connection.output());
            this.reader = new Thread(this::readLoop, "peers-client-reader");
            this.reader.setDaemon(true);
        }

        void start() {
            reader.start();
        }

        JsonNode request(String method, ObjectNode params, long deadlineNanos) {
            long id = nextId.incrementAndGet();
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            inflight.put(id, reply);
            ObjectNode request = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
            if (params != null) {
                request.set("params", params);
            }
            try {
                if (dead.get()) {
                    throw new IOException("connection closed");
                }
                writer.writeLine(MAPPER.writeValueAsString(request));
                return unwrap(reply.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (IOException e) {
                throw new BrokerUnavailableException("the connection to the broker at " + connector.address()
                        + " broke during " + method + "; it was maybe not done", e);
            } catch (TimeoutException e) {
                throw new BrokerUnavailableException("the broker did not answer " + method + " in time", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new BrokerUnavailableException("request " + method + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrokerUnavailableException("interrupted during " + method, e);
            } finally {
                inflight.remove(id);
            }
        }

        private JsonNode unwrap(JsonNode reply) {
            JsonNode error = reply.get("error");
            if (error != null && !error.isNull()) {
                JsonNode data = error.path("data");
                String code = data.path("code").asText("error");
                throw new BrokerException(error.path("code").asInt(), code, error.path("message").asText(), data);
            }
            return reply.path("result");
        }

        private void readLoop() {
            LineReader lines = new LineReader(connection.input());
            Throwable cause = null;
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    JsonNode node;
                    try {
                        node = MAPPER.readTree(line);
                    } catch (IOException e) {
                        LOG.warn("the broker sent a line that is not JSON; ignored");
                        continue;
                    }
                    JsonNode id = node.get("id");
                    if (id != null && !id.isNull() && (node.has("result") || node.has("error"))) {
                        CompletableFuture<JsonNode> reply = inflight.get(id.asLong());
                        if (reply != null) {
                            reply.complete(node);
                        }
                    } else if (node.has("method")) {
                        onNotification(node);
                    } else if (node.has("error")) {
                        // An error without an id: the broker refused the connection as a whole.
                        LOG.warn("the broker refused this connection: {}", node.path("error").path("message").asText());
                        failAll(new BrokerException(node.path("error").path("code").asInt(),
                                node.path("error").path("data").path("code").asText("error"),
                                node.path("error").path("message").asText(), node.path("error").path("data")));
                    }
                }
            } catch (FramingException e) {
                cause = e;
            } catch (IOException | RuntimeException e) {
                cause = e;
            } finally {
                kill();
                failAll(new BrokerUnavailableException("the connection to the broker at " + connector.address()
                        + " closed", cause));
                connectionLost(this, cause);
            }
        }

        private void failAll(RuntimeException failure) {
            inflight.values().forEach(reply -> reply.completeExceptionally(failure));
        }

        void kill() {
            if (dead.compareAndSet(false, true)) {
                connection.close();
            }
        }
    }
}
