package io.agentpeers.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A lean protocol client on a raw socket channel: one request at a time, replies read by the calling
 * thread, every wait bounded. It costs no threads, so the benchmark can hold a thousand of them and its
 * own overhead stays out of the broker's figures. Not thread-safe.
 */
final class RawConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final Duration timeout;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Selector selector;
    private long nextId;
    private long firstNanos;

    /** A reply line, the moment its first bytes were read, and the moment its last byte was. */
    record Line(String text, long firstNanos, long endNanos) {
        boolean isError() {
            return text.contains("\"error\":{");
        }
    }

    private RawConnection(SocketChannel channel, Duration timeout) throws IOException {
        this.channel = channel;
        this.timeout = timeout;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        in.flip();
    }

    static RawConnection open(Endpoint endpoint, Duration timeout) {
        RawConnection connection = connect(endpoint, timeout);
        String client = "peers-bench/" + io.agentpeers.protocol.PeersVersion.VERSION;
        String hello = endpoint.token() == null
                ? "{\"protocol\":1,\"client\":\"" + client + "\"}"
                : "{\"protocol\":1,\"client\":\"" + client + "\",\"token\":\"" + endpoint.token() + "\"}";
        try {
            connection.requireOk("hello", hello);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** A connection that has not said hello: to a broker, or to {@link EchoFloor}. */
    static RawConnection connect(Endpoint endpoint, Duration timeout) {
        try {
            SocketChannel channel;
            if (endpoint.unix()) {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(endpoint.socket()));
            } else {
                channel = SocketChannel.open(StandardProtocolFamily.INET);
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(new InetSocketAddress(endpoint.host(), endpoint.port()));
            }
            return new RawConnection(channel, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + endpoint, e);
        }
    }

    /** Sends a request and returns its reply line (error replies included). */
    Line request(String method, String paramsJson) {
        long id = ++nextId;
        String line = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
                + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}\n";
        write(line.getBytes(StandardCharsets.UTF_8));
        String idField = "\"id\":" + id + ",";
        String idLast = "\"id\":" + id + "}";
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int skipped = 0; skipped < 100_000; skipped++) {
            Line reply = readLine(deadline);
            if (reply.text().contains(idField) || reply.text().endsWith(idLast)) {
                return reply;
            }
            // a notification between replies: not ours
        }
        throw new IllegalStateException("no reply to " + method + " among 100000 lines");
    }

    /** Like {@link #request} but fails on an error reply. */
    Line requireOk(String method, String paramsJson) {
        Line reply = request(method, paramsJson);
        if (reply.isError()) {
            throw new IllegalStateException(method + " failed: " + abbreviate(reply.text()));
        }
        return reply;
    }

    /** Registers a peer; returns its id. */
    String register(String cwd, String name) {
        String params = "{\"cwd\":\"" + cwd + "\",\"client_type\":\"generic\",\"git_root\":\"" + cwd
                + "\",\"repo_key\":\"" + cwd + "/.git\"" + (name == null ? "" : ",\"name\":\"" + name + "\"") + "}";
        String text = requireOk("register", params).text();
        int at = text.indexOf("\"id\":\"");
        return text.substring(at + 6, text.indexOf('"', at + 6));
    }

    /** Hands the channel over to a shared selector (idle peers); this object then only closes it. */
    SocketChannel detach() {
        try {
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        selector = null;
        return channel;
    }

    private void write(byte[] bytes) {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(SelectionKey.OP_WRITE, deadline);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("write failed", e);
        }
    }

    private Line readLine(long deadline) {
        try {
            while (true) {
                if (in.hasRemaining()) {
                    byte[] array = in.array();
                    int from = in.position();
                    int limit = in.limit();
                    for (int i = from; i < limit; i++) {
                        if (array[i] == '\n') {
                            long end = System.nanoTime();
                            partial.write(array, from, i - from);
                            in.position(i + 1);
                            String text = partial.toString(StandardCharsets.UTF_8);
                            partial.reset();
                            long first = firstNanos == 0 ? end : firstNanos;
                            firstNanos = 0;
                            return new Line(text, first, end);
                        }
                    }
                    partial.write(array, from, limit - from);
                    in.position(limit);
                }
                in.clear();
                int read = channel.read(in);
                if (read < 0) {
                    throw new IllegalStateException("the broker closed the connection");
                }
                if (read == 0) {
                    in.flip();
                    await(SelectionKey.OP_READ, deadline);
                    continue;
                }
                if (firstNanos == 0) {
                    firstNanos = System.nanoTime();
                }
                in.flip();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read failed", e);
        }
    }

    private void await(int op, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IllegalStateException("no answer from the broker within " + timeout.toMillis() + " ms");
        }
        SelectionKey key = channel.register(selector, op);
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
        key.interestOps(0);
    }

    static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                if (selector != null) {
                    selector.close();
                }
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
