package io.agentpeers.store.postgres;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay on loopback in front of the test server, as the network between a broker and its database. It
 * can break a connection right after the server committed: once {@link #armCutAfterNextCommit()} is called,
 * the first connection that sends a COMMIT has it forwarded, and when the server's answer comes back both
 * sides are closed instead of passing it on; the client never hears that its COMMIT succeeded, the one case a
 * store cannot tell from its driver alone. And {@link #cut()} is a partition that lasts: every connection
 * broken, new ones refused (a terminated backend alone is reconnected at once).
 */
public final class ServerRelay implements AutoCloseable {
    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final int target;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicBoolean cut = new AtomicBoolean();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public ServerRelay(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "server-relay");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    void armCutAfterNextCommit() {
        cut.set(false);
        armed.set(true);
    }

    /** Whether an armed cut happened. */
    boolean didCut() {
        return cut.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(server);
                if (listener.isClosed()) { // cut while this one was being accepted
                    closeQuietly(client);
                    closeQuietly(server);
                    return;
                }
                AtomicBoolean committing = new AtomicBoolean();
                relay(client, server, committing, true);
                relay(server, client, committing, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket from, Socket to, AtomicBoolean committing, boolean towardServer) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16384];
                    try (InputStream in = from.getInputStream()) {
                        OutputStream out = to.getOutputStream();
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (towardServer
                                    && armed.get()
                                    && contains(buffer, n, COMMIT)
                                    && armed.compareAndSet(true, false)) {
                                committing.set(true);
                            } else if (!towardServer && committing.get()) {
                                cut.set(true);
                                closeQuietly(from);
                                closeQuietly(to);
                                return;
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // One side went: the other goes with it.
                    }
                    closeQuietly(from);
                    closeQuietly(to);
                },
                "server-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buffer, int length, byte[] word) {
        outer:
        for (int i = 0; i + word.length <= length; i++) {
            for (int j = 0; j < word.length; j++) {
                if (buffer[i + j] != word[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all that was wanted.
        }
    }

    /** Breaks every relayed connection; from now on connections to {@link #port()} are refused. */
    public void cut() {
        close();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
