package io.agentpeers.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentpeers.core.PeersException;
import io.agentpeers.protocol.wire.WireJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard over HTTP on a loopback port, with the JDK's own server (module jdk.httpserver): the
 * page, {@code GET /api/state}, the live {@code GET /api/events} stream and the person's actions as
 * {@code POST /api/send|read|kill}. Every request must pass {@link DashboardAccess}. Nothing of it runs
 * until {@link #start}; {@link #close()} ends every stream and frees the port, idempotent.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Open event streams at most: each holds an HTTP thread. */
    static final int MAX_STREAMS = 8;

    static final int MAX_BODY_BYTES = 256 * 1024;
    private static final int MESSAGES_AT_START = 500;
    private static final long METRICS_SECONDS = 5;

    private final DashboardBackend backend;
    private final StaticFiles files = new StaticFiles();
    private final Throughput throughput = new Throughput();
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private HttpServer server;
    private ThreadPoolExecutor threads;
    private ScheduledExecutorService ticker;
    private AutoCloseable observation;
    private DashboardAccess access;
    private int port;

    public DashboardServer(DashboardBackend backend) {
        this.backend = backend;
    }

    /**
     * Binds 127.0.0.1 on {@code port} (0: one the system picks) and starts serving.
     *
     * @throws DashboardPortException when the port is taken or not allowed
     */
    public DashboardServer start(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (BindException e) {
            throw new DashboardPortException("cannot serve the dashboard on 127.0.0.1:" + port + ": " + e.getMessage()
                    + "; choose another port with --port, or leave it out to have one chosen");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.port = server.getAddress().getPort();
        this.access = new DashboardAccess(InetAddress.getLoopbackAddress().getHostAddress() + ":" + this.port);
        threads = new ThreadPoolExecutor(1, MAX_STREAMS + 8, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread thread = new Thread(r, "peers-dashboard");
            thread.setDaemon(true);
            return thread;
        });
        // Beyond the threads: the caller's (the server's dispatcher) answers, so nothing is dropped unanswered.
        threads.setRejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        observation = backend.observe(this::heard);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "peers-dashboard-metrics");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(this::tick, METRICS_SECONDS, METRICS_SECONDS, TimeUnit.SECONDS);
        server.start();
        LOG.info("event=dashboard-start address={}", access.origin());
        return this;
    }

    /** The port it serves on. */
    public int port() {
        return port;
    }

    /** A link with a fresh one-time token: the first browser to open it gets the session. */
    public String newLoginUrl() {
        return access.origin() + "/?token=" + access.newToken();
    }

    // ------------------------------------------------------------ events

    private void heard(CommittedEvent event) {
        if (event.messageSentAt() != null) {
            throughput.sent(event.messageSentAt(), Instant.now());
        }
        if (streams.isEmpty()) {
            return; // nobody looks: no JSON is built
        }
        String frame = EventStream.frame("event", event.json().get());
        for (EventStream stream : streams) {
            stream.offer(frame);
        }
    }

    private void tick() {
        if (streams.isEmpty()) {
            return; // no one looks: not even the counts are read
        }
        try {
            String frame = EventStream.frame("metrics", metrics());
            for (EventStream stream : streams) {
                stream.offer(frame);
            }
        } catch (RuntimeException e) {
            LOG.warn("event=error dashboard metrics failed: {}", e.toString());
        }
    }

    private ObjectNode metrics() {
        ObjectNode node = NODES.objectNode();
        node.set("broker", backend.broker());
        node.set("throughput", throughput.series(Instant.now()));
        node.put("bucket_seconds", Throughput.BUCKET.toSeconds());
        return node;
    }

    private ObjectNode state() {
        ObjectNode node = metrics();
        node.put("acting_as", backend.actingAs());
        node.set("peers", backend.peers());
        node.set("messages", backend.unreadMessages(MESSAGES_AT_START));
        return node;
    }

    // ------------------------------------------------------------ requests

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            route(exchange);
        } catch (RuntimeException e) {
            LOG.warn(
                    "event=error dashboard request {} failed: {}",
                    exchange.getRequestURI().getPath(),
                    e.toString());
            try {
                HttpReplies.error(exchange, 500, "internal_error", "the dashboard failed: " + e);
            } catch (IOException | RuntimeException alreadyAnswering) {
                // Headers were sent already; the browser sees the stream end.
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String refused = access.refusal(
                exchange.getRequestHeaders().getFirst("Host"),
                exchange.getRequestHeaders().getFirst("Origin"),
                exchange.getRequestHeaders().getFirst("Sec-Fetch-Site"));
        if (refused != null) {
            LOG.warn("event=dashboard-refused path={} reason=\"{}\"", path, refused);
            HttpReplies.text(exchange, 403, refused);
            return;
        }
        String token = queryParameter(exchange.getRequestURI().getRawQuery(), "token");
        if (path.equals("/") && token != null && method.equals("GET")) {
            login(exchange, token);
            return;
        }
        if (!access.hasSession(exchange.getRequestHeaders().getFirst("Cookie"))) {
            if (path.startsWith("/api/")) {
                HttpReplies.error(
                        exchange, 401, "not_signed_in", "no dashboard session: open the link `peers dashboard` prints");
            } else {
                HttpReplies.text(
                        exchange, 401, "No dashboard session: run `peers dashboard` and open the link it prints.");
            }
            return;
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (read) {
            switch (path) {
                case "/api/state" -> HttpReplies.json(exchange, 200, state());
                case "/api/events" -> stream(exchange);
                default -> {
                    StaticFiles.File file = files.at(path);
                    if (file == null) {
                        HttpReplies.text(exchange, 404, "nothing at " + path);
                    } else {
                        HttpReplies.bytes(exchange, 200, file.contentType(), file.body());
                    }
                }
            }
            return;
        }
        if (!method.equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
            HttpReplies.text(exchange, 405, method + " is not served here");
            return;
        }
        act(exchange, path);
    }

    private void login(HttpExchange exchange, String token) throws IOException {
        String session = access.exchange(token);
        if (session == null) {
            HttpReplies.text(
                    exchange,
                    403,
                    "This link was used already or is too old: run `peers dashboard` again for a new one.");
            return;
        }
        exchange.getResponseHeaders()
                .add("Set-Cookie", DashboardAccess.COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict");
        // To the bare page: the spent token leaves the address bar and the history entry.
        HttpReplies.redirect(exchange, "/");
    }

    private void stream(HttpExchange exchange) throws IOException {
        if (streams.size() >= MAX_STREAMS) {
            HttpReplies.error(
                    exchange,
                    503,
                    "too_many_streams",
                    "the dashboard is open in " + MAX_STREAMS + " tabs already; close one");
            return;
        }
        EventStream stream = new EventStream();
        streams.add(stream); // before the snapshot: an event committed meanwhile is in both, never in neither
        try {
            stream.serve(exchange, EventStream.frame("state", state()));
        } catch (IOException gone) {
            // The browser left.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.remove(stream);
        }
    }

    private void act(HttpExchange exchange, String path) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        // A cross-site form can post only form types; JSON needs a fetch, which the Origin check covers.
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            HttpReplies.error(exchange, 415, "invalid_request", "send JSON (Content-Type: application/json)");
            return;
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                HttpReplies.error(exchange, 413, "invalid_request", "the request is over " + MAX_BODY_BYTES + " bytes");
                return;
            }
            body = bytes.length == 0 ? NODES.objectNode() : WireJson.mapper().readTree(bytes);
        } catch (IOException e) {
            HttpReplies.error(exchange, 400, "invalid_request", "the body is not JSON");
            return;
        }
        if (body == null || !body.isObject()) {
            HttpReplies.error(exchange, 400, "invalid_request", "the body must be a JSON object");
            return;
        }
        try {
            JsonNode result = switch (path) {
                case "/api/send" -> send(body);
                case "/api/read" -> backend.readInbox();
                case "/api/kill" -> backend.kill(requiredText(body, "peer"));
                default -> null;
            };
            if (result == null) {
                HttpReplies.text(exchange, 404, "nothing at " + path);
            } else {
                LOG.info("event=dashboard-action path={}", path);
                HttpReplies.json(exchange, 200, result);
            }
        } catch (BadRequest e) {
            HttpReplies.error(exchange, 400, "invalid_params", e.getMessage());
        } catch (PeersException e) {
            HttpReplies.error(exchange, 409, e.code(), e.getMessage());
        }
    }

    private JsonNode send(JsonNode body) {
        String text = requiredText(body, "text");
        JsonNode to = body.path("to");
        JsonNode scope = body.path("scope");
        if (to.isTextual() == scope.isTextual()) {
            throw new BadRequest("give either 'to' (a peer's id or name) or 'scope' (machine, directory or repo)");
        }
        if (scope.isTextual()) {
            return backend.broadcast(scope.asText(), text);
        }
        JsonNode replyTo = body.path("reply_to");
        if (!replyTo.isMissingNode() && !replyTo.isNull() && !replyTo.canConvertToLong()) {
            throw new BadRequest("'reply_to' must be a message id");
        }
        return backend.send(to.asText(), text, replyTo.canConvertToLong() ? replyTo.asLong() : null);
    }

    private static String requiredText(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new BadRequest("'" + field + "' is required and must be non-empty text");
        }
        return value.asText();
    }

    static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A request the dashboard refuses before the broker sees it. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (observation != null) {
            try {
                observation.close();
            } catch (Exception e) {
                LOG.warn("closing the dashboard's observation failed: {}", e.toString());
            }
        }
        streams.forEach(EventStream::end);
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (server != null) {
            server.stop(0);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
