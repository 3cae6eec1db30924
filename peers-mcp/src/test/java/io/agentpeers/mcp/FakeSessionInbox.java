package io.agentpeers.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A stand-in for a Claude Code session's inbox: a Unix socket in a test folder that keeps, per
 * connection, every line written to it until the writer closes. A real implementation (junixsocket's
 * server socket), not a mock of {@link ClaudeSessionInbox}.
 */
final class FakeSessionInbox implements AutoCloseable {
    static final String TOKEN = "cc-test-token-\"7f3a\"-do-not-log";

    private final Path path;
    private final AFUNIXServerSocket server;
    private final BlockingQueue<List<String>> connections = new LinkedBlockingQueue<>();

    private FakeSessionInbox(Path path) throws IOException {
        this.path = path;
        this.server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(path));
        Thread acceptor = new Thread(this::acceptLoop, "fake-session-inbox");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static FakeSessionInbox start(Path path) throws IOException {
        return new FakeSessionInbox(path);
    }

    /** The environment Claude Code gives its MCP servers for this inbox. */
    static Map<String, String> environment(Path socket) {
        return Map.of(
                ClaudeSessionInbox.SOCKET_VARIABLE,
                socket.toString(),
                ClaudeSessionInbox.TOKEN_VARIABLE,
                TOKEN,
                "CLAUDE_CODE_SESSION_ID",
                "3d0c7a8e-test");
    }

    static ClaudeSessionInbox inbox(Path socket) {
        return ClaudeSessionInbox.fromEnvironment(environment(socket)).orElseThrow();
    }

    Path path() {
        return path;
    }

    /** The lines of the next connection (once its writer closed), or null after the timeout. */
    List<String> next(Duration timeout) throws InterruptedException {
        return connections.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread reader = new Thread(() -> read(socket), "fake-session-inbox-reader");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void read(Socket socket) {
        List<String> lines = new ArrayList<>();
        try (socket;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            socket.setSoTimeout(10_000);
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("!" + e);
        }
        connections.add(lines);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
