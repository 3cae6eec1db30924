package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.server.ConnectionHandler;
import io.agentpeers.broker.server.ServerConnection;
import io.agentpeers.core.AgentUnread;
import io.agentpeers.core.AlreadyRegisteredException;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Credentials;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.core.KillResult;
import io.agentpeers.core.Message;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersEvent;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.QuestionState;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Registration;
import io.agentpeers.core.Scope;
import io.agentpeers.core.SendResult;
import io.agentpeers.core.Urgency;
import io.agentpeers.core.WriterCounts;
import io.agentpeers.core.port.CommitListener;
import io.agentpeers.core.port.StoreCounts;
import io.agentpeers.protocol.BadTokenException;
import io.agentpeers.protocol.HelloRequiredException;
import io.agentpeers.protocol.InvalidParamsException;
import io.agentpeers.protocol.MethodNotFoundException;
import io.agentpeers.protocol.PeersVersion;
import io.agentpeers.protocol.VersionMismatchException;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcException;
import io.agentpeers.protocol.wire.JsonRpcRequest;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the JSON-RPC methods of docs/protocol.md onto {@link PeerNetwork}. The caller of every method
 * is the peer registered on the connection ({@link Session}), never a field of the request. What
 * follows a commit (pushes, woken long polls, observers) is {@link Pushes}' job, long polls are
 * {@link LongPolls}', and errors are encoded by {@link JsonRpcError#of}.
 */
public final class BrokerDispatcher implements ConnectionHandler, CommitListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerDispatcher.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_WAIT_MILLIS = 300_000;
    private static final int MAX_LIMIT = 1_000;

    private final PeerNetwork network;
    private final BrokerContext context;
    private final Connections connections = new Connections();
    private final PeerJsonCache peerJson = new PeerJsonCache();
    private final Envelopes envelopes;
    /** One timer thread for the long polls' and the questions' timeouts, started at the first one. */
    private final ScheduledExecutorService waitTimers = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "peers-timers");
        thread.setDaemon(true);
        return thread;
    });

    private final LongPolls polls;
    private final AnswerWaits answers;
    private final Pushes pushes;
    private final GoneAtStop goneAtStop;
    private final ClaimMethods claims;

    public BrokerDispatcher(PeerNetwork network, BrokerContext context) {
        this.network = network;
        this.context = context;
        this.envelopes = new Envelopes(network, this::certificateOf);
        this.polls = new LongPolls(network, envelopes, waitTimers);
        this.answers = new AnswerWaits(network, this::questionResult, waitTimers);
        this.pushes = new Pushes(connections, envelopes, polls, answers, peerJson);
        this.goneAtStop = new GoneAtStop(network);
        this.claims = new ClaimMethods(network);
    }

    /** How many connections are open now. */
    public int connectionCount() {
        return connections.count();
    }

    // ------------------------------------------------------------ connection events

    @Override
    public void onOpen(ServerConnection connection) {
        connection.attach(new Session());
        connections.opened(connection);
        LOG.info(
                "event=connect conn={} transport={} remote=\"{}\"",
                connection.id(),
                connection.identity().transport(),
                connection.identity().remote());
    }

    @Override
    public void onClose(ServerConnection connection) {
        connections.closed(connection);
        Session session = connection.attachment(Session.class);
        PeerId peer = session == null ? null : session.peer;
        if (peer != null) {
            polls.cancel(peer, connection);
            answers.cancel(peer, connection);
            if (connections.release(peer, connection) && !goneAtStop.hold(peer)) {
                try {
                    network.connectionClosed(peer);
                } catch (PeersException e) {
                    LOG.warn("event=error conn={} peer={} during close: {}", connection.id(), peer, e.getMessage());
                }
            }
        }
        LOG.info("event=disconnect conn={} peer={}", connection.id(), peer == null ? "-" : peer);
    }

    @Override
    public void onFramingError(ServerConnection connection, FramingError error) {
        LOG.warn("event=error conn={} code={}", connection.id(), error.code());
        connection.send(JsonRpcResponse.failure(null, JsonRpcError.of(error, connection.maxLineBytes()))
                .toLine());
    }

    @Override
    public void onLine(ServerConnection connection, String line) {
        JsonRpcRequest request;
        try {
            request = JsonRpcRequest.parse(line);
        } catch (JsonRpcException e) {
            LOG.warn(
                    "event=error conn={} code={} message=\"{}\"",
                    connection.id(),
                    e.error().code(),
                    e.error().message());
            connection.send(JsonRpcResponse.failure(e.id(), JsonRpcError.of(e)).toLine());
            return;
        }
        answer(connection, request);
    }

    /**
     * {@code ping} and {@code hello} are answered from memory, on the selector loop's thread: no worker
     * is woken for them. A line that names neither is not even parsed here (its worker parses it).
     */
    @Override
    public boolean answeredOnLoop(ServerConnection connection, String line) {
        if (!line.contains("\"ping\"") && !line.contains("\"hello\"")) {
            return false;
        }
        JsonRpcRequest request;
        try {
            request = JsonRpcRequest.parse(line);
        } catch (JsonRpcException e) {
            return false; // its worker answers the error
        }
        if (!request.method().equals("ping") && !request.method().equals("hello")) {
            return false;
        }
        answer(connection, request);
        return true;
    }

    private void answer(ServerConnection connection, JsonRpcRequest request) {
        Session session = connection.attachment(Session.class);
        JsonNode result;
        try {
            result = dispatch(connection, session, request);
        } catch (PeersException e) {
            if (request.id() != null) {
                connection.send(JsonRpcResponse.failure(request.id(), JsonRpcError.of(e))
                        .toLine());
            }
            if (e instanceof BadTokenException) {
                connection.closeGracefully();
            }
            return;
        } catch (RuntimeException e) {
            LOG.error("event=error conn={} method={} internal failure", connection.id(), request.method(), e);
            if (request.id() != null) {
                connection.send(JsonRpcResponse.failure(
                                request.id(),
                                JsonRpcError.internalFailure(
                                        "the broker failed on " + request.method() + ": " + e + "; it keeps serving"))
                        .toLine());
            }
            return;
        }
        if (result != null && request.id() != null) {
            connection.send(JsonRpcResponse.success(request.id(), result).toLine());
        }
    }

    // ------------------------------------------------------------ methods

    /** Returns the result, or null when the reply is sent later (a long poll). */
    private JsonNode dispatch(ServerConnection connection, Session session, JsonRpcRequest request) {
        String method = request.method();
        Params params = new Params(request.params());
        if (!session.greeted && !method.equals("hello")) {
            throw new HelloRequiredException("say hello first: {\"method\":\"hello\",\"params\":{\"protocol\":"
                    + PeersClient.PROTOCOL_VERSION + "}}");
        }
        return switch (method) {
            case "hello" -> hello(connection, session, params);
            case "ping" ->
                NODES.objectNode().put("pong", true).put("time", Instant.now().toString());
            case "stats" -> stats();
            case "observe" -> observe(connection);
            case "shutdown" -> shutdown(connection);
            case "register" -> register(connection, session, params);
            case "unregister" -> unregister(connection, session);
            case "whoami" -> peerResult(network.whoami(session.caller()));
            case "set_summary" -> peerResult(network.setSummary(session.caller(), params.optionalString("summary")));
            case "set_name" -> peerResult(network.setName(session.caller(), params.optionalString("name")));
            case "set_delivery" -> setDelivery(session, params);
            case "bind_session" -> bindSession(connection, session, params);
            case "get_peer" -> {
                session.caller();
                yield peerResult(network.resolve(params.requiredString("peer")));
            }
            case "list_peers" -> listPeers(connection, session, request, params);
            case "send" -> send(session, params);
            case "broadcast" -> broadcast(session, params);
            case "ask" -> ask(connection, session, request, params);
            case "await_answer" -> awaitAnswer(connection, session, request, params);
            case "held" ->
                envelopes.messages(network.held(
                        session.caller(), params.optionalString("peer"), params.intOr("limit", 100, 1, MAX_LIMIT)));
            case "release" -> envelopes.messages(network.release(session.caller(), params.optionalString("peer")));
            case "subscribe" -> subscribe(connection, session, request);
            case "unsubscribe" -> {
                session.caller();
                session.subscribed = false;
                yield NODES.objectNode().put("subscribed", false);
            }
            case "ack" ->
                NODES.objectNode().put("delivered", network.acknowledge(session.caller(), params.requiredIds("ids")));
            case "mark_read" ->
                NODES.objectNode().put("read", network.markRead(session.caller(), params.requiredIds("ids")));
            case "pending" ->
                envelopes.messages(network.pending(session.caller(), params.intOr("limit", 100, 1, MAX_LIMIT)));
            case "unread" ->
                envelopes.messages(network.unread(session.caller(), params.intOr("limit", 100, 1, MAX_LIMIT)));
            case "wait" -> waitForMessages(connection, session, request, params);
            case "history" ->
                NODES.objectNode()
                        .set(
                                "messages",
                                PeersJson.messages(network.history(
                                        session.caller(),
                                        params.optionalString("with"),
                                        params.intOr(
                                                "limit", 50, 1, network.limits().maxHistory()))));
            case "get_message" ->
                NODES.objectNode()
                        .set(
                                "message",
                                PeersJson.message(network.message(session.caller(), params.requiredLong("id"))));
            case "kill" -> kill(connection, session, request, params);
            case "agent_unread" -> agentUnread(connection, params);
            case "dashboard" -> dashboard(connection, session, params);
            case "claim_paths" -> claims.claim(session.caller(), params);
            case "release_paths" -> claims.release(session.caller(), params);
            case "list_claims" -> claims.list(session.caller(), params);
            case "agent_claims" ->
                claims.agentClaims(connection.identity().credentials().orElse(null), params);
            default -> throw new MethodNotFoundException("no method '" + method + "'; docs/protocol.md lists them");
        };
    }

    private JsonNode hello(ServerConnection connection, Session session, Params params) {
        long protocol = params.requiredLong("protocol");
        if (protocol != PeersClient.PROTOCOL_VERSION) {
            String side = protocol > PeersClient.PROTOCOL_VERSION
                    ? "this broker is older than the client: stop it (peers broker stop) so that the newer one starts"
                    : "the client is older than this broker: upgrade or restart the client";
            throw new VersionMismatchException("the client speaks protocol " + protocol + " and the broker "
                    + PeersClient.PROTOCOL_VERSION + "; " + side);
        }
        String token = connection.identity().tokenRequired() ? presentedToken(params) : null;
        if (connection.identity().tokenRequired() && !context.tokenAccepted(token)) {
            LOG.warn(
                    "event=refused conn={} reason=bad_token token={}",
                    connection.id(),
                    token == null ? "none" : "wrong");
            // A wrong token is not a missing one: the caller read some file, maybe its own home's, not the broker's.
            throw new BadTokenException(
                    token == null
                            ? "over " + ("tls".equals(connection.identity().transport()) ? "TLS" : "TCP")
                                    + ", hello must carry the broker's token; it is in " + context.tokenLocation()
                            : "the token is not this broker's; its token is in " + context.tokenLocation());
        }
        session.greeted = true;
        connection.authenticated();
        ObjectNode result = NODES.objectNode();
        result.put("protocol", PeersClient.PROTOCOL_VERSION);
        result.put("broker_version", PeersVersion.VERSION);
        result.put("transport", connection.identity().transport());
        result.put("verified", connection.identity().verified());
        if (connection.identity().certificate() != null) {
            result.put("certificate", connection.identity().certificate());
        }
        Credentials credentials = connection.identity().credentials().orElse(null);
        result.put("pid", credentials == null ? null : credentials.pid());
        result.put("uid", credentials == null ? null : credentials.uid());
        return result;
    }

    /** The token of a hello, or null: one that is not a string is no token (a bad token, not bad params). */
    private static String presentedToken(Params params) {
        try {
            return params.optionalString("token");
        } catch (InvalidParamsException notAString) {
            return null;
        }
    }

    private JsonNode register(ServerConnection connection, Session session, Params params) {
        if (session.peer != null) {
            throw new AlreadyRegisteredException("this connection already holds peer " + session.peer
                    + "; open another connection for another peer");
        }
        RegisterRequest request = new RegisterRequest(
                params.optionalLong("agent_pid"),
                params.optionalString("name"),
                params.requiredString("cwd"),
                params.optionalString("git_root"),
                params.optionalString("repo_key"),
                params.optionalString("repo_remote"),
                params.optionalString("tty"),
                ClientType.fromWireName(params.requiredString("client_type")),
                params.optionalString("summary"),
                params.optionalString("resume_secret"),
                params.optionalString("session_key"));
        Credentials credentials = connection.identity().credentials().orElse(null);
        Registration registration = network.register(credentials, request);
        Peer peer = registration.peer();
        session.peer = peer.id();
        envelopes.remember(peer);
        ServerConnection previous = connections.hold(peer.id(), connection);
        if (previous != null && previous != connection) {
            previous.closeGracefully();
        }
        LOG.info(
                "event=register conn={} peer={} name={} client={} verified={} resumed={} pending={}",
                connection.id(),
                peer.id(),
                peer.name(),
                peer.clientType(),
                peer.verified(),
                registration.resumed() ? registration.resumedBy().wireName() : "no",
                registration.pending());
        ObjectNode result = NODES.objectNode();
        result.set("peer", peerNode(peer));
        result.put("resume_secret", registration.resumeSecret());
        result.put("resumed", registration.resumed());
        if (registration.resumed()) {
            result.put("resumed_by", registration.resumedBy().wireName());
        }
        result.put("pending", registration.pending());
        return result;
    }

    /**
     * The agent named its session after registering (Codex's thread, in a tool call): when a gone peer of that
     * session is there, this connection now holds it (its pending messages follow a subscription at once).
     */
    private JsonNode bindSession(ServerConnection connection, Session session, Params params) {
        PeerId before = session.caller();
        Registration bound = network.bindSession(before, params.requiredString("session_key"));
        Peer peer = bound.peer();
        if (!peer.id().equals(before)) {
            polls.cancel(before, connection);
            connections.release(before, connection);
            session.peer = peer.id();
            envelopes.remember(peer);
            ServerConnection previous = connections.hold(peer.id(), connection);
            if (previous != null && previous != connection) {
                previous.closeGracefully();
            }
            LOG.info(
                    "event=bind-session conn={} peer={} was={} pending={}",
                    connection.id(),
                    peer.id(),
                    before,
                    bound.pending());
            if (session.subscribed) {
                for (Message message : network.pending(peer.id(), MAX_LIMIT)) {
                    connection.send(Pushes.notification("message", envelopes.envelope(message)));
                }
            }
        }
        ObjectNode result = NODES.objectNode();
        result.set("peer", peerNode(peer));
        result.put("resumed", bound.resumed());
        if (bound.resumed()) {
            result.put("resumed_by", bound.resumedBy().wireName());
        }
        result.put("pending", bound.pending());
        return result;
    }

    private JsonNode unregister(ServerConnection connection, Session session) {
        PeerId peer = session.caller();
        Peer gone = network.unregister(peer);
        connections.release(peer, connection);
        polls.cancel(peer, connection);
        session.peer = null;
        session.subscribed = false;
        return peerResult(gone);
    }

    private JsonNode listPeers(ServerConnection connection, Session session, JsonRpcRequest request, Params params) {
        List<Peer> peers = network.listPeers(session.caller(), scope(params, "scope", Scope.MACHINE));
        if (request.id() == null) {
            return null;
        }
        connection.sendEncoded(peerJson.listPeersLine(request.id(), peers, this::deliveryOf, this::certificateOf));
        return null;
    }

    private JsonNode send(Session session, Params params) {
        PeerId caller = session.caller();
        SendResult result = network.send(
                caller,
                params.requiredString("to"),
                params.requiredString("text"),
                params.optionalLong("reply_to"),
                Urgency.fromWireName(params.optionalString("urgency")));
        ObjectNode node = NODES.objectNode();
        node.set("message", PeersJson.message(result.message()));
        node.set("recipient", peerNode(result.recipient()));
        return node;
    }

    private JsonNode broadcast(Session session, Params params) {
        List<SendResult> results =
                network.broadcast(session.caller(), scope(params, "scope", null), params.requiredString("text"));
        ArrayNode messages = NODES.arrayNode();
        results.forEach(r -> messages.add(PeersJson.message(r.message())));
        return NODES.objectNode().set("messages", messages);
    }

    private JsonNode ask(ServerConnection connection, Session session, JsonRpcRequest request, Params params) {
        PeerId caller = session.caller();
        long timeout = waitMillis(params);
        String to = params.requiredString("to");
        String text = params.requiredString("text");
        Urgency urgency = Urgency.fromWireName(params.optionalString("urgency"));
        answers.ask(connection, request.id(), caller, () -> network.ask(caller, to, text, urgency), timeout);
        return null;
    }

    private JsonNode awaitAnswer(ServerConnection connection, Session session, JsonRpcRequest request, Params params) {
        long timeout = waitMillis(params);
        answers.await(connection, request.id(), session.caller(), params.requiredLong("question_id"), timeout);
        return null;
    }

    private static long waitMillis(Params params) {
        long timeout = params.requiredLong("timeout_ms");
        if (timeout < 0 || timeout > MAX_WAIT_MILLIS) {
            throw new InvalidParamsException("'timeout_ms' must be between 0 and " + MAX_WAIT_MILLIS);
        }
        return timeout;
    }

    /** A question, its answer (with its sender) or null, and its recipient as it receives messages now. */
    private JsonNode questionResult(QuestionState state) {
        ObjectNode node = NODES.objectNode();
        node.set("question", PeersJson.message(state.question()));
        node.set("answer", state.answered() ? envelopes.envelope(state.answer()) : NODES.nullNode());
        Peer recipient = network.find(state.question().recipient()).orElse(null);
        node.set("recipient", recipient == null ? NODES.nullNode() : PeersJson.peer(recipient, deliveryOf(recipient)));
        return node;
    }

    private JsonNode subscribe(ServerConnection connection, Session session, JsonRpcRequest request) {
        PeerId peer = session.caller();
        // Subscribed before looking, so a message committed in between is pushed too (clients dedupe by id).
        session.subscribed = true;
        List<Message> pending = network.pending(peer, MAX_LIMIT);
        ObjectNode result = NODES.objectNode().put("subscribed", true).put("pending", pending.size());
        if (request.id() != null) {
            connection.send(JsonRpcResponse.success(request.id(), result).toLine());
        }
        for (Message message : pending) {
            connection.send(Pushes.notification("message", envelopes.envelope(message)));
        }
        return null;
    }

    private JsonNode waitForMessages(
            ServerConnection connection, Session session, JsonRpcRequest request, Params params) {
        PeerId peer = session.caller();
        long timeout = params.requiredLong("timeout_ms");
        if (timeout < 0 || timeout > MAX_WAIT_MILLIS) {
            throw new InvalidParamsException("'timeout_ms' must be between 0 and " + MAX_WAIT_MILLIS);
        }
        int limit = params.intOr("limit", 100, 1, MAX_LIMIT);
        polls.await(connection, request.id(), peer, limit, timeout);
        return null;
    }

    /**
     * A kill of this broker's peer is answered at once; one of another broker's peer is answered when that
     * broker answers (at most {@link io.agentpeers.core.PeerNetwork#KILL_WAIT}), from the thread that brings the
     * answer: no worker waits for it.
     */
    private JsonNode kill(ServerConnection connection, Session session, JsonRpcRequest request, Params params) {
        PeerId caller = session.caller();
        String target = params.requiredString("peer");
        CompletableFuture<KillResult> pending =
                context.apartFromDashboardActions(() -> network.killAnywhere(caller, target));
        if (pending.isDone() && !pending.isCompletedExceptionally()) {
            return killed(connection, caller, pending.join());
        }
        pending.whenComplete((result, failure) -> {
            if (request.id() == null) {
                return;
            }
            Throwable cause =
                    failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
            if (cause == null) {
                connection.send(JsonRpcResponse.success(request.id(), killed(connection, caller, result))
                        .toLine());
            } else if (cause instanceof PeersException e) {
                LOG.info(
                        "event=kill_refused conn={} by={} target=\"{}\" code={}",
                        connection.id(),
                        caller,
                        target.replaceAll("[^A-Za-z0-9_-]", "?"),
                        e.errorCode().wireName());
                connection.send(JsonRpcResponse.failure(request.id(), JsonRpcError.of(e))
                        .toLine());
            } else {
                LOG.error("event=error conn={} method=kill internal failure", connection.id(), cause);
                connection.send(JsonRpcResponse.failure(
                                request.id(),
                                JsonRpcError.internalFailure(
                                        "the broker failed on kill: " + cause + "; it keeps serving"))
                        .toLine());
            }
        });
        return null;
    }

    private JsonNode killed(ServerConnection connection, PeerId caller, KillResult result) {
        LOG.info(
                "event=kill conn={} by={} target={} agent_pid={} held_by={} signalled={}",
                connection.id(),
                caller,
                result.target().id(),
                result.target().agent() == null ? "-" : result.target().agent().pid(),
                result.target().heldHere() ? "here" : result.target().holder().brokerId(),
                result.signalled());
        ObjectNode node = NODES.objectNode();
        node.set("peer", PeersJson.peer(result.target()));
        node.put("signalled", result.signalled());
        return node;
    }

    /**
     * For an agent's hook: the peer whose verified agent is an ancestor of the connecting process, from the
     * socket's credentials (never from the request). No such peer is an answer with {@code peer: null}.
     */
    private JsonNode agentUnread(ServerConnection connection, Params params) {
        boolean stop = params.booleanOr("stop", false);
        Credentials credentials = connection
                .identity()
                .credentials()
                .orElseThrow(
                        () -> new NotAuthorizedException(
                                "agent_unread needs the Unix socket: over TCP or in VM the broker cannot tell which process asks"));
        AgentUnread answer = network.agentUnread(credentials, stop).orElse(null);
        ObjectNode result = NODES.objectNode();
        if (answer == null) {
            result.putNull("peer");
            result.put("unread", 0);
            result.putArray("senders");
            result.put("block_stop", false);
            return result;
        }
        ServerConnection holder = connections.holder(answer.peer().id());
        Session held = holder == null ? null : holder.attachment(Session.class);
        if (held != null) {
            held.hooksSeen = true; // the agent's hooks run: it sees its unread count at each prompt and stop
        }
        result.putObject("peer")
                .put("id", answer.peer().id().value())
                .put("name", answer.peer().name());
        result.put("unread", answer.unread());
        ArrayNode senders = result.putArray("senders");
        answer.senders().forEach(senders::add);
        result.put("block_stop", answer.blockStop());
        return result;
    }

    /** The {@code stats} result: counts, connections and the broker's own facts. */
    public ObjectNode stats() {
        StoreCounts counts = network.counts();
        ObjectNode stats = NODES.objectNode();
        stats.put("broker_version", PeersVersion.VERSION);
        stats.put("protocol", PeersClient.PROTOCOL_VERSION);
        stats.put("connections", connections.count());
        stats.putObject("peers").put("live", counts.livePeers()).put("gone", counts.gonePeers());
        stats.putObject("messages")
                .put("pending", counts.pending())
                .put("delivered", counts.delivered())
                .put("read", counts.read())
                .put("undeliverable", counts.undeliverable());
        WriterCounts writer = network.writerCounts();
        stats.putObject("writer").put("transactions", writer.transactions()).put("units", writer.units());
        context.describe(stats);
        return stats;
    }

    private JsonNode observe(ServerConnection connection) {
        requireLocalOwner(connection, "observe");
        connections.observe(connection);
        // After it observes: a peer joining meanwhile is in the list and in an event, never in neither.
        ObjectNode result = NODES.objectNode().put("observing", true);
        ArrayNode peers = result.putArray("peers");
        network.livePeers().forEach(peer -> peers.add(peerNode(peer)));
        return result;
    }

    /**
     * Serves the browser dashboard (started at the first call, on the port asked for or one chosen) and
     * answers a fresh one-time login link. Only the person's own CLI peer may ask: the dashboard's actions
     * run as that peer.
     */
    private JsonNode dashboard(ServerConnection connection, Session session, Params params) {
        requireLocalOwner(connection, "dashboard");
        Peer person = network.whoami(session.caller());
        if (person.clientType() != ClientType.CLI) {
            throw new NotAuthorizedException("the dashboard acts as the person's CLI peer: ask with `peers dashboard`");
        }
        int port = params.intOr("port", 0, 0, 65_535);
        Credentials credentials = connection.identity().credentials().orElseThrow();
        return context.serveDashboard(port, person, credentials);
    }

    private JsonNode shutdown(ServerConnection connection) {
        requireLocalOwner(connection, "shutdown");
        LOG.info("event=shutdown-requested conn={}", connection.id());
        // After a moment, so that this answer goes out first.
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(context::requestShutdown);
        return NODES.objectNode().put("stopping", true);
    }

    /** Unix callers were already checked against the broker's uid by the transport; TCP ones have no uid. */
    private static void requireLocalOwner(ServerConnection connection, String what) {
        if (!connection.identity().verified()) {
            throw new NotAuthorizedException(
                    what + " needs the Unix socket: over TCP or in VM the broker cannot tell who you are");
        }
    }

    private static Scope scope(Params params, String field, Scope fallback) {
        String value = params.optionalString(field);
        if (value == null) {
            if (fallback == null) {
                throw new InvalidParamsException("'" + field + "' is required: machine, directory, repo or network");
            }
            return fallback;
        }
        return Scope.fromWireName(value);
    }

    private JsonNode peerResult(Peer peer) {
        return NODES.objectNode().set("peer", peerNode(peer));
    }

    /** A peer in its wire shape with what its connection adds: delivery, and the certificate over TLS. */
    public ObjectNode peerNode(Peer peer) {
        return PeersJson.peer(peer, deliveryOf(peer), certificateOf(peer));
    }

    /** The client certificate's name of a live peer held over TLS, else null. */
    private String certificateOf(Peer peer) {
        return peer.live() ? certificateOf(peer.id()) : null;
    }

    /** The client certificate's name of the connection holding {@code peer}, when it came over TLS; else null. */
    private String certificateOf(PeerId peer) {
        ServerConnection holder = connections.holder(peer);
        return holder == null ? null : holder.identity().certificate();
    }

    /** How a peer receives messages now: from the session of the connection holding it; null when none does. */
    public Delivery deliveryOf(Peer peer) {
        if (!peer.live()) {
            return null;
        }
        ServerConnection holder = connections.holder(peer.id());
        // A plain cast: Class.cast is a call the C1-only JIT does not inline, and list_peers asks 1,000 times.
        Session session = holder == null ? null : (Session) holder.attachment();
        return session == null ? null : session.delivery();
    }

    private JsonNode setDelivery(Session session, Params params) {
        PeerId caller = session.caller();
        session.delivery = new Delivery(
                DeliveryPath.fromWireName(params.requiredString("path")), params.booleanOr("confirmed", false));
        return peerResult(network.whoami(caller));
    }

    // ------------------------------------------------------------ after a commit

    @Override
    public void committed(List<PeersEvent> events) {
        pushes.committed(events);
    }

    /**
     * Hands every committed event to {@code listener} in this JVM, on the push thread after the pushes of
     * that commit (the dashboard's feed); closing the result stops it. Without listeners nothing is done.
     */
    public AutoCloseable observeInProcess(Consumer<PeersEvent> listener) {
        return pushes.listen(listener);
    }

    /**
     * The broker is about to close every connection: the peers they hold go gone in one write at
     * {@link #close()}, not one write per connection. Observers and subscribers still connected meanwhile
     * hear no {@code peer_left} for them (every connection is closing anyway).
     */
    public void stopping() {
        goneAtStop.stopping();
    }

    /** Marks the peers of the connections closed since {@link #stopping()} gone, then stops pushing. */
    @Override
    public void close() {
        try {
            goneAtStop.flush();
        } catch (PeersException e) {
            LOG.warn("event=error marking the peers of closed connections gone at stop: {}", e.getMessage());
        }
        pushes.close();
        waitTimers.shutdownNow();
    }
}
