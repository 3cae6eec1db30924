package io.agentpeers.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.wire.WireJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadLocalRandom;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Thousands of peers on one thread, each its own Unix connection, speaking the wire protocol as a
 * {@link PeersClient} does: {@code hello}, {@code register}, and after a lost connection the client's
 * reconnect schedule (an attempt at once, then 50 ms doubling to 1 s with equal jitter, as
 * {@code Backoff.forReconnects}), {@code register} with the resume secret and a first {@code pending}.
 *
 * <p>Why not {@link PeersClient}s: in the field each peer is its own process; 2,000 of them in the
 * bench's JVM are 6,000 threads, and in a restart storm their reconnect threads spent 27 s of CPU
 * constructing exceptions under a JVM-internal lock, so the figure measured the bench, not the broker.
 * One selector thread puts the same load on the broker at almost no cost of its own.
 *
 * <p>Not thread-safe: one thread at a time calls {@link #register}, then {@link #resumeAfterLoss}.
 */
final class StormClients implements AutoCloseable {
    private static final long FIRST_STEP_MILLIS = 50;
    private static final long MAX_STEP_MILLIS = 1000;

    private final Path socket;
    private final int pendingLimit;
    private final Client[] clients;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);

    StormClients(Path socket, int count, int pendingLimit) throws IOException {
        this.socket = socket;
        this.pendingLimit = pendingLimit;
        this.clients = new Client[count];
        for (int i = 0; i < count; i++) {
            clients[i] = new Client(i);
        }
        this.selector = AFUNIXSelectorProvider.provider().openSelector();
    }

    /** When each client was resumed and served, in {@link System#nanoTime()}; 0 where it was not. */
    record Times(long[] resumedAt, long[] servedAt, int failed) {}

    /** Connects every client and registers its peer (cwd {@code /bench/restart/<i>}); throws on any failure. */
    void register(long timeoutMillis) throws IOException {
        for (Client client : clients) {
            client.phase = Phase.CONNECTING;
            client.resuming = false;
            client.attemptAt = System.nanoTime();
        }
        runUntil(System.nanoTime() + timeoutMillis * 1_000_000L, Phase.REGISTERED);
        for (Client client : clients) {
            if (client.phase != Phase.REGISTERED) {
                throw new IOException("client " + client.index + " did not register: " + client.lastError);
            }
        }
    }

    /**
     * Waits for every connection to end (the broker stopping), then reconnects each on the client's
     * schedule until it resumed and its first {@code pending} was answered, or the deadline.
     */
    Times resumeAfterLoss(long timeoutMillis) throws IOException {
        for (Client client : clients) {
            client.resuming = true;
        }
        runUntil(System.nanoTime() + timeoutMillis * 1_000_000L, Phase.SERVED);
        long[] resumed = new long[clients.length];
        long[] served = new long[clients.length];
        int failed = 0;
        for (Client client : clients) {
            resumed[client.index] = client.resumedAt;
            served[client.index] = client.servedAt;
            failed += client.failures;
        }
        return new Times(resumed, served, failed);
    }

    @Override
    public void close() {
        for (Client client : clients) {
            client.disconnect();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    // ---- the loop

    private enum Phase {
        CONNECTING,
        HELLO,
        REGISTERING,
        REGISTERED,
        PENDING,
        SERVED
    }

    private void runUntil(long deadline, Phase goal) throws IOException {
        PriorityQueue<Client> attempts = new PriorityQueue<>((a, b) -> Long.compare(a.attemptAt, b.attemptAt));
        for (Client client : clients) {
            if (client.phase == Phase.CONNECTING) {
                attempts.add(client);
            }
        }
        while (System.nanoTime() < deadline && !allAt(goal)) {
            long now = System.nanoTime();
            while (!attempts.isEmpty() && attempts.peek().attemptAt <= now) {
                Client client = attempts.poll();
                if (!client.connect()) {
                    attempts.add(client);
                }
            }
            long waitMillis = attempts.isEmpty() ? 50 : Math.max(1, (attempts.peek().attemptAt - now) / 1_000_000L);
            try {
                selector.select(Math.min(50, waitMillis));
            } catch (IOException e) {
                // An elapsed timeout (junixsocket reports it this way) or a wait a signal interrupted.
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Client client = (Client) key.attachment();
                if (!client.read()) {
                    // Lost: the stop when resuming, a failure otherwise; either way the client's schedule.
                    client.scheduleReconnect();
                    attempts.add(client);
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private boolean allAt(Phase goal) {
        for (Client client : clients) {
            if (client.phase != goal) {
                return false;
            }
        }
        return true;
    }

    private final class Client {
        final int index;
        Phase phase = Phase.CONNECTING;
        boolean resuming;
        long attemptAt;
        long stepMillis = FIRST_STEP_MILLIS;
        AFUNIXSocketChannel channel;
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        String secret;
        String lastError = "";
        long resumedAt;
        long servedAt;
        int failures;

        Client(int index) {
            this.index = index;
        }

        /** One attempt; false when it failed (the next one is scheduled). */
        boolean connect() {
            try {
                channel = AFUNIXSocketChannel.open();
                channel.connect(AFUNIXSocketAddress.of(socket));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, this);
                phase = Phase.HELLO;
                send(
                        "hello",
                        WireJson.mapper()
                                .createObjectNode()
                                .put("protocol", PeersClient.PROTOCOL_VERSION)
                                .put("client", "peers-bench/" + PeersClient.VERSION));
                return true;
            } catch (IOException e) {
                lastError = e.toString();
                disconnect();
                scheduleReconnect();
                return false;
            }
        }

        void scheduleReconnect() {
            disconnect();
            if (phase != Phase.CONNECTING) {
                // The connection was up: the client's loop tries again at once, then backs off.
                phase = Phase.CONNECTING;
                stepMillis = FIRST_STEP_MILLIS;
                attemptAt = System.nanoTime();
                return;
            }
            long half = stepMillis / 2;
            long delay =
                    Math.min(MAX_STEP_MILLIS, half + ThreadLocalRandom.current().nextLong(stepMillis - half + 1));
            stepMillis = Math.min(MAX_STEP_MILLIS, stepMillis * 2);
            attemptAt = System.nanoTime() + delay * 1_000_000L;
        }

        /** Reads what arrived; false when the connection ended or broke. */
        boolean read() {
            try {
                readBuffer.clear();
                int n = channel.read(readBuffer);
                if (n < 0) {
                    return false;
                }
                byte[] bytes = readBuffer.array();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (bytes[i] == '\n') {
                        partial.write(bytes, start, i - start);
                        String line = partial.toString(StandardCharsets.UTF_8);
                        partial.reset();
                        start = i + 1;
                        if (!answered(WireJson.mapper().readTree(line))) {
                            return false;
                        }
                    }
                }
                partial.write(bytes, start, n - start);
                return true;
            } catch (IOException | RuntimeException e) {
                lastError = e.toString();
                return false;
            }
        }

        /** Takes one reply and sends the next request; false on an error reply (counted). */
        private boolean answered(JsonNode reply) throws IOException {
            if (!reply.has("id")) {
                return true; // a notification
            }
            if (reply.has("error")) {
                if (reply.get("id").isNull()) {
                    return true; // the broker's notice before it closes (stopping): the end follows
                }
                failures++;
                lastError = reply.get("error").toString();
                return false;
            }
            JsonNode result = reply.get("result");
            switch (phase) {
                case HELLO -> {
                    phase = Phase.REGISTERING;
                    ObjectNode params = WireJson.mapper()
                            .createObjectNode()
                            .put("cwd", "/bench/restart/" + index)
                            .put("client_type", "generic");
                    if (resuming) {
                        params.put("resume_secret", secret);
                    }
                    send("register", params);
                }
                case REGISTERING -> {
                    secret = result.get("resume_secret").asText();
                    if (resuming) {
                        resumedAt = System.nanoTime();
                        phase = Phase.PENDING;
                        send("pending", WireJson.mapper().createObjectNode().put("limit", pendingLimit));
                    } else {
                        phase = Phase.REGISTERED;
                    }
                }
                case PENDING -> {
                    if (result.path("messages").isArray()) {
                        servedAt = System.nanoTime();
                        phase = Phase.SERVED;
                    }
                }
                default -> {
                    // a late reply: nothing asked
                }
            }
            return true;
        }

        private void send(String method, ObjectNode params) throws IOException {
            ObjectNode request = WireJson.mapper().createObjectNode().put("jsonrpc", "2.0");
            request.put("id", phase.ordinal()).put("method", method).set("params", params);
            ByteBuffer line = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
            long giveUp = System.nanoTime() + 1_000_000_000L;
            while (line.hasRemaining()) {
                if (channel.write(line) == 0 && System.nanoTime() > giveUp) {
                    throw new IOException("a request of " + line.capacity() + " bytes did not fit the socket");
                }
            }
        }

        void disconnect() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing anyway
                }
                channel = null;
            }
            partial.reset();
        }
    }
}
