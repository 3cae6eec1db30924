package io.agentpeers.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.Message;
import io.agentpeers.core.PeerStillConnectedException;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.ResumeRefusedException;
import io.agentpeers.core.Scope;
import io.agentpeers.core.Urgency;
import io.agentpeers.protocol.BrokerEvent;
import io.agentpeers.protocol.BrokerInfo;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.ClaimInfo;
import io.agentpeers.protocol.ClaimResult;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.Pong;
import io.agentpeers.protocol.codec.BrokerJson;
import io.agentpeers.protocol.codec.ClaimsJson;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import io.agentpeers.protocol.wire.WireJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * <p>A refusal arrives as the exception the broker threw ({@code UnknownPeerException} with its
 * suggestions, {@code RateLimitedException} with its retry-after, ...; see {@link BrokerErrors}).
 *
 * <p>This class is the typed facade (records in, records out, the peer's registration and pushes).
 * Beneath it, one {@code RpcSession} carries each connection (request ids, pending calls, timeouts,
 * notifications), and a {@code ReconnectingSession} replaces a lost one through a {@code ReconnectLoop}
 * that waits a jittered backoff between attempts, so that many clients of a restarted broker do not
 * retry in step; this class resumes its peer by secret on each fresh session.
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
    private static final ObjectMapper MAPPER = WireJson.mapper();
    private static final int SEEN_IDS = 10_000;

    private final ClientOptions options;
    private final ExecutorService callbacks;
    private final LinkedHashSet<Long> seen = new LinkedHashSet<>();
    private final ReconnectingSession connection;

    private volatile RegisterRequest registration;
    private volatile String resumeSecret;
    private volatile PeerInfo self;
    private volatile MessageListener messageListener;
    private volatile Consumer<BrokerEvent> eventListener;
    private volatile Runnable reconnectListener;
    private volatile Runnable disconnectListener;
    private volatile Delivery delivery;

    private PeersClient(TransportConnector connector, ClientOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.callbacks = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "peers-client-callbacks");
            thread.setDaemon(true);
            return thread;
        });
        this.connection = new ReconnectingSession(
                connector, options, this::onNotification, this::resumeOn, this::reconnected, this::disconnected);
    }

    /**
     * Connects and says {@code hello}.
     *
     * @throws io.agentpeers.protocol.transport.TransportException when nothing answers at the connector's
     *     address (the connector's own failure, with where it looked)
     * @throws BrokerUnavailableException when the connection breaks or {@code hello} is not answered in time
     * @throws io.agentpeers.protocol.BadTokenException when the broker refuses the token (TCP)
     * @throws io.agentpeers.protocol.VersionMismatchException when the broker speaks another protocol version
     */
    public static PeersClient connect(TransportConnector connector, ClientOptions options) {
        PeersClient client = new PeersClient(connector, options);
        try {
            client.connection.open();
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Connects with {@link ClientOptions#defaults()}: no token (so not over TCP, where {@code hello} needs
     * one), reconnect on, 30-second requests. Throws as {@link #connect(TransportConnector, ClientOptions)}.
     */
    public static PeersClient connect(TransportConnector connector) {
        return connect(connector, ClientOptions.defaults());
    }

    // ------------------------------------------------------------ the API

    /** The broker's answer to {@code hello}: its version, the transport and the credentials it read. */
    public BrokerInfo brokerInfo() {
        return connection.brokerInfo();
    }

    /** Registers (or resumes) the peer this client holds; remembered for automatic resume. */
    public Results.Registered register(RegisterRequest request) {
        Objects.requireNonNull(request, "request");
        JsonNode result = call("register", registerParams(request), options.requestTimeout());
        adoptRegistration(request, result);
        return new Results.Registered(
                self,
                result.path("resumed").asBoolean(),
                result.hasNonNull("resumed_by") ? result.get("resumed_by").asText() : null,
                result.path("pending").asInt());
    }

    /**
     * Names the agent session this client's peer belongs to, when the agent tells it only after registering
     * (Codex names its thread in each tool call). A gone peer of that session is taken back: this client
     * then holds it ({@link #self()} changes id) and its messages come here. Later resumes carry the key.
     */
    public Results.Registered bindSession(String sessionKey) {
        ObjectNode params = params();
        params.put("session_key", sessionKey);
        JsonNode result = call("bind_session", params, options.requestTimeout());
        self = PeersJson.peerInfo(result.get("peer"));
        RegisterRequest current = registration;
        if (current != null) {
            registration = current.withSessionKey(sessionKey);
        }
        return new Results.Registered(
                self,
                result.path("resumed").asBoolean(),
                result.hasNonNull("resumed_by") ? result.get("resumed_by").asText() : null,
                result.path("pending").asInt());
    }

    /** The peer this client holds, as of its last registration or update; null before {@link #register}. */
    public PeerInfo self() {
        return self;
    }

    /** The secret that resumes this peer from another process; keep it private. */
    public String resumeSecret() {
        return resumeSecret;
    }

    /**
     * This peer as the broker knows it now; also kept as {@link #self()}.
     *
     * @throws io.agentpeers.core.NotRegisteredException before {@link #register}
     */
    public PeerInfo whoami() {
        self = PeersJson.peerInfo(call("whoami", null).get("peer"));
        return self;
    }

    /**
     * Sets what this peer is working on, which other peers see in its listing; returns the updated peer,
     * also kept as {@link #self()}.
     *
     * @throws io.agentpeers.core.SummaryTooLongException when it is over the limit in UTF-8 bytes
     */
    public PeerInfo setSummary(String summary) {
        self = PeersJson.peerInfo(
                call("set_summary", params().put("summary", summary)).get("peer"));
        return self;
    }

    /**
     * Tells the broker how this peer receives its messages, which others see in its listing and when they
     * send to it; sent again after each reconnect. Say {@code confirmed} only when it was seen to work
     * (a push the model answered, a wake followed by a read). Returns the updated peer, also kept as
     * {@link #self()}. Without it a peer is {@code subscribed} while it has a subscription, else {@code poll}.
     */
    public PeerInfo setDelivery(Delivery how) {
        Objects.requireNonNull(how, "how");
        self = PeersJson.peerInfo(call("set_delivery", deliveryParams(how)).get("peer"));
        delivery = how;
        return self;
    }

    private static ObjectNode deliveryParams(Delivery how) {
        return params().put("path", how.path().wireName()).put("confirmed", how.confirmed());
    }

    /** Sets the name, or clears it with null. */
    public PeerInfo setName(String name) {
        self = PeersJson.peerInfo(call("set_name", params().put("name", name)).get("peer"));
        return self;
    }

    /** Live peers in {@code scope} (machine, directory, repo or network), this peer excluded. */
    public List<PeerInfo> listPeers(Scope scope) {
        return PeersJson.peerInfos(
                call("list_peers", params().put("scope", scope.wireName())).get("peers"));
    }

    /**
     * Claims paths or globs of this peer's repository (relative to its folder, or absolute inside the
     * repository) for {@code ttlMinutes} (null: the broker's default). When one overlaps another live peer's
     * claim, none is taken and the result lists the conflicts, unless {@code share} is true.
     */
    public ClaimResult claimPaths(List<String> paths, Integer ttlMinutes, String note, boolean share) {
        ObjectNode params =
                params().put("ttl_minutes", ttlMinutes).put("note", note).put("share", share);
        paths.forEach(params.putArray("paths")::add);
        JsonNode result = call("claim_paths", params);
        return new ClaimResult(
                result.path("root").asText(""),
                ClaimsJson.claimInfos(result.get("claimed")),
                ClaimsJson.claimInfos(result.get("conflicts")));
    }

    /** Releases these claims of this peer (as they were claimed), or all of them for an empty list; returns the paths released. */
    public List<String> releasePaths(List<String> paths) {
        ObjectNode params = params();
        paths.forEach(params.putArray("paths")::add);
        List<String> released = new ArrayList<>();
        call("release_paths", params).path("released").forEach(p -> released.add(p.asText()));
        return released;
    }

    /** The claims in force in {@code scope} (repo: this peer's repository; machine: all), this peer's own included. */
    public List<ClaimInfo> listClaims(Scope scope) {
        return ClaimsJson.claimInfos(
                call("list_claims", params().put("scope", scope.wireName())).get("claims"));
    }

    /** A peer by id or name, live or gone. */
    public PeerInfo getPeer(String idOrName) {
        return PeersJson.peerInfo(
                call("get_peer", params().put("peer", idOrName)).get("peer"));
    }

    /** Sends a message that answers none; see {@link #send(String, String, Long)}. */
    public Results.Sent send(String to, String text) {
        return send(to, text, null);
    }

    /** Sends a message; when this returns, the broker has stored it durably. */
    public Results.Sent send(String to, String text, Long replyTo) {
        return send(to, text, replyTo, Urgency.NORMAL);
    }

    /**
     * Sends a message of some urgency: {@code interrupt} wakes the recipient now through whatever wake path it
     * has, {@code fyi} never wakes it. Past the broker's ping-pong limit the message is stored held
     * ({@code message().state()} is {@code HELD}) until a person releases it.
     */
    public Results.Sent send(String to, String text, Long replyTo, Urgency urgency) {
        ObjectNode params = params().put("to", to).put("text", text).put("reply_to", replyTo);
        if (urgency != null && urgency != Urgency.NORMAL) {
            params.put("urgency", urgency.wireName());
        }
        JsonNode result = call("send", params);
        return new Results.Sent(
                PeersJson.messageFrom(result.get("message")), PeersJson.peerInfo(result.get("recipient")));
    }

    /**
     * Sends {@code question} marked as a question and waits up to {@code timeout} for its answer: the first
     * message of that peer replying to it. The broker registers the wait before it sends, so a fast answer is
     * never missed. Without an answer in time, the result says how far the question got; {@link #awaitAnswer}
     * waits again.
     */
    public Results.Asked ask(String to, String question, Duration timeout, Urgency urgency) {
        ObjectNode params = params().put("to", to).put("text", question).put("timeout_ms", timeout.toMillis());
        if (urgency != null && urgency != Urgency.NORMAL) {
            params.put("urgency", urgency.wireName());
        }
        return asked(call("ask", params, timeout.plus(options.requestTimeout())));
    }

    /** Waits up to {@code timeout} (zero: looks only) for the answer to a question this client asked earlier. */
    public Results.Asked awaitAnswer(long questionId, Duration timeout) {
        ObjectNode params = params().put("question_id", questionId).put("timeout_ms", timeout.toMillis());
        return asked(call("await_answer", params, timeout.plus(options.requestTimeout())));
    }

    private static Results.Asked asked(JsonNode result) {
        JsonNode answer = result.get("answer");
        JsonNode recipient = result.get("recipient");
        return new Results.Asked(
                PeersJson.messageFrom(result.get("question")),
                answer == null || answer.isNull() ? null : PeersJson.envelopeFrom(answer),
                recipient == null || recipient.isNull() ? null : PeersJson.peerInfo(recipient));
    }

    /** Held messages sent or received by {@code peer} (all when null), oldest first. Only a person's CLI may ask. */
    public List<Message> held(String peer, int limit) {
        return PeersJson.messagesFrom(
                call("held", params().put("peer", peer).put("limit", limit)).get("messages"));
    }

    /**
     * Releases the messages the ping-pong guard held, those sent or received by {@code peer} (all when null):
     * they go out now. Only a person's CLI may. Returns them as they are now (pending).
     */
    public List<Message> release(String peer) {
        return PeersJson.messagesFrom(
                call("release", params().put("peer", peer)).get("messages"));
    }

    /**
     * Sends {@code text} to every live peer in {@code scope} but this one; returns the stored messages, one
     * per recipient (none when nobody is in scope).
     */
    public List<Message> broadcast(Scope scope, String text) {
        return PeersJson.messagesFrom(
                call("broadcast", params().put("scope", scope.wireName()).put("text", text))
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

    /**
     * Stops the pushes. The listener is dropped at once, so pushes still on their way are not delivered
     * and stay pending, as does everything not acknowledged.
     */
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
        return PeersJson.envelopesFrom(
                call("pending", params().put("limit", limit)).get("messages"));
    }

    /** Messages not yet read, oldest first; changes nothing. */
    public List<Envelope> unread(int limit) {
        return PeersJson.envelopesFrom(
                call("unread", params().put("limit", limit)).get("messages"));
    }

    /** Long poll: pending messages at once if any, else the first to arrive within {@code timeout}, else none. */
    public List<Envelope> waitForMessages(Duration timeout, int limit) {
        ObjectNode params = params().put("timeout_ms", timeout.toMillis()).put("limit", limit);
        return PeersJson.envelopesFrom(
                call("wait", params, timeout.plus(options.requestTimeout())).get("messages"));
    }

    /** Messages sent or received, newest first; only those with {@code with} (id or name) when not null. */
    public List<Message> history(String with, int limit) {
        return PeersJson.messagesFrom(
                call("history", params().put("with", with).put("limit", limit)).get("messages"));
    }

    /** A message this peer sent or received, with its current state. */
    public Message message(long id) {
        return PeersJson.messageFrom(call("get_message", params().put("id", id)).get("message"));
    }

    /** Ends the agent process of another peer (irreversible; for stuck peers). */
    public Results.Killed kill(String peer) {
        JsonNode result = call("kill", params().put("peer", peer));
        return new Results.Killed(
                PeersJson.peerInfo(result.get("peer")), result.path("signalled").asBoolean());
    }

    /**
     * For an agent's hook, on a connection that holds no peer: the peer whose verified agent is an
     * ancestor of this process (the broker reads the pid from the socket), with its unread counts.
     * Over the Unix socket only.
     *
     * @param stop whether this is a Stop hook: the answer then says whether to block, once per newer unread
     *             message
     * @return empty when no live peer's agent is an ancestor of this process
     * @throws io.agentpeers.core.NotAuthorizedException over TCP or in VM
     */
    public Optional<Results.AgentUnread> agentUnread(boolean stop) {
        JsonNode result = call("agent_unread", params().put("stop", stop));
        JsonNode peer = result.path("peer");
        if (!peer.isObject()) {
            return Optional.empty();
        }
        List<String> senders = new ArrayList<>();
        result.path("senders").forEach(name -> senders.add(name.asText()));
        return Optional.of(new Results.AgentUnread(
                peer.path("id").asText(),
                peer.path("name").isTextual() ? peer.path("name").asText() : null,
                result.path("unread").asInt(),
                senders,
                result.path("block_stop").asBoolean()));
    }

    /** Leaves for good: the peer is gone and its name free at once. */
    public void unregister() {
        call("unregister", null);
        registration = null;
        resumeSecret = null;
    }

    /** Whether the broker answers, and its clock. */
    public Pong ping() {
        return BrokerJson.pong(call("ping", null));
    }

    /** The broker's statistics (docs/protocol.md, {@code stats}). */
    public BrokerStats stats() {
        return BrokerJson.brokerStats(call("stats", null));
    }

    /**
     * Receives every {@code event} notification (peers joining and leaving, messages flowing), on the
     * callback thread; survives reconnects. Needs the Unix socket as the broker's user. Calling it again
     * replaces the listener and observes once, not twice.
     *
     * @return the peers live when observing began (none from a broker older than this field), so that an
     *     observer can name the peers that joined before it
     */
    public List<PeerInfo> observe(Consumer<BrokerEvent> listener) {
        this.eventListener = Objects.requireNonNull(listener, "listener");
        JsonNode peers = call("observe", null).path("peers");
        return peers.isArray() ? PeersJson.peerInfos(peers) : List.of();
    }

    /** Asks the broker to stop (same uid, Unix socket only). */
    public void shutdownBroker() {
        call("shutdown", null);
    }

    /** Runs after each automatic reconnect and resume, on the callback thread. */
    public void onReconnect(Runnable listener) {
        this.reconnectListener = listener;
    }

    /**
     * Runs when the connection is lost and the client starts reconnecting (with reconnect on), on the
     * callback thread: before any {@link #onReconnect} listener for the same loss.
     */
    public void onDisconnect(Runnable listener) {
        this.disconnectListener = listener;
    }

    /** Whether a connection is up right now. */
    public boolean connected() {
        return connection.connected();
    }

    /**
     * Any request by method name, for methods this class has no wrapper for. {@code params} (a map, a
     * record, a Jackson tree, or null for none) and the result are mapped with the wire mapper
     * ({@link WireJson}); field names are the wire's ({@code snake_case}), so a record of the caller's
     * names them with {@code @JsonProperty}. Pass {@code JsonNode.class} to get the result as sent.
     *
     * @throws IllegalArgumentException when the params are no JSON object or the result does not fit the type
     */
    public <T> T call(String method, Object params, Class<T> resultType) {
        JsonNode paramsTree = params == null ? null : MAPPER.valueToTree(params);
        if (paramsTree != null && !paramsTree.isObject()) {
            throw new IllegalArgumentException(
                    "params of " + method + " must map to a JSON object, not " + paramsTree.getNodeType());
        }
        JsonNode result = call(method, (ObjectNode) paramsTree, options.requestTimeout());
        try {
            return MAPPER.treeToValue(result, resultType);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "the result of " + method + " is no " + resultType.getSimpleName() + ": " + e.getOriginalMessage(),
                    e);
        }
    }

    private JsonNode call(String method, ObjectNode params) {
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
        if (request.repoRemote() != null) {
            node.put("repo_remote", request.repoRemote());
        }
        node.put("tty", request.tty());
        node.put("summary", request.summary());
        node.put("resume_secret", request.resumeSecret());
        node.put("session_key", request.sessionKey());
        return node;
    }

    private void adoptRegistration(RegisterRequest request, JsonNode result) {
        self = PeersJson.peerInfo(result.get("peer"));
        resumeSecret = result.get("resume_secret").asText();
        // Later resumes keep the name and summary the peer has by then, not the first request's.
        registration = request.withName(null).withResumeSecret(null);
    }

    private JsonNode call(String method, ObjectNode params, Duration timeout) {
        return connection.call(method, params, timeout);
    }

    /** After a reconnect: takes the peer back by its secret (or registers afresh if the broker forgot it), subscribes again. */
    private void resumeOn(RpcSession fresh) {
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        RegisterRequest request = registration;
        if (request != null) {
            RegisterRequest resume = request.withResumeSecret(resumeSecret);
            JsonNode result;
            try {
                result = fresh.request("register", registerParams(resume), deadline);
            } catch (PeerStillConnectedException e) {
                throw e;
            } catch (ResumeRefusedException e) {
                LOG.warn("the broker no longer knows this peer ({}); registering as a new peer", e.getMessage());
                result = fresh.request("register", registerParams(request), deadline);
            }
            adoptRegistration(request, result);
        }
        Delivery reported = delivery;
        if (reported != null && request != null) {
            fresh.request("set_delivery", deliveryParams(reported), deadline);
        }
        if (messageListener != null) {
            fresh.request("subscribe", null, deadline);
        }
        if (eventListener != null) {
            fresh.request("observe", null, deadline);
        }
    }

    private void reconnected() {
        LOG.info(
                "reconnected to the broker at {} as {}",
                connection.address(),
                self == null ? "(unregistered)" : self.displayName());
        Runnable listener = reconnectListener;
        if (listener != null) {
            callbacks.execute(listener);
        }
    }

    private void disconnected() {
        Runnable listener = disconnectListener;
        if (listener != null) {
            callbacks.execute(listener);
        }
    }

    private void onNotification(JsonRpcRequest notification) {
        String method = notification.method();
        JsonNode params = notification.params() == null ? MAPPER.createObjectNode() : notification.params();
        switch (method) {
            case "message" -> callbacks.execute(() -> deliver(PeersJson.envelopeFrom(params)));
            case "event" -> {
                Consumer<BrokerEvent> listener = eventListener;
                if (listener != null) {
                    BrokerEvent event = BrokerJson.brokerEvent(params);
                    callbacks.execute(() -> listener.accept(event));
                }
            }
            case "closing" ->
                LOG.info(
                        "the broker is closing the connection: {}",
                        params.path("reason").asText());
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
        connection.close();
        callbacks.shutdown();
    }
}
