package io.agentpeers.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native inbox of the Claude Code session that started this server: the Unix socket Claude Code names
 * in {@code CLAUDE_CODE_MESSAGING_SOCKET}, with the token in {@code CLAUDE_CODE_MESSAGING_TOKEN} (seen in
 * Claude Code 2.1.332; its own {@code SendMessage} writes there). It takes newline-separated JSON, first
 * {@code {"type":"auth","token":...}}, then {@code {"type":"user","message":{"role":"user","content":...}}},
 * and a line written to an idle interactive session opens a new turn with it, no channel flag needed.
 *
 * <p>Only {@link InboxNudge}s are written, so no message text ever goes there. Fail-closed and bounded:
 * {@link #deliver} connects without blocking (a Unix socket connects at once or not at all), checks that
 * the socket file and the process listening on it are this user's, writes both lines within the timeout
 * and closes; anything else is reported as not written, never thrown. Each call has its own connection;
 * any thread may call. The token is never logged, never in {@link #toString()}, never passed on.
 */
public final class ClaudeSessionInbox implements SessionWake {
    static final String SOCKET_VARIABLE = "CLAUDE_CODE_MESSAGING_SOCKET";
    static final String TOKEN_VARIABLE = "CLAUDE_CODE_MESSAGING_TOKEN";

    private static final Logger LOG = LoggerFactory.getLogger(ClaudeSessionInbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** sun_path holds 108 bytes including the terminating NUL. */
    private static final int MAX_PATH_BYTES = 107;

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path socket;
    private final String token;

    private ClaudeSessionInbox(Path socket, String token) {
        this.socket = socket;
        this.token = token;
    }

    /**
     * The inbox this process's environment names, if it names one: both variables set, the socket an
     * absolute path. Pass this process's own environment ({@code System.getenv()}): peers writes only to
     * the session that started it.
     */
    public static Optional<ClaudeSessionInbox> fromEnvironment(Map<String, String> environment) {
        String socket = environment.get(SOCKET_VARIABLE);
        String token = environment.get(TOKEN_VARIABLE);
        if (socket == null || socket.isBlank() || token == null || token.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(socket);
        if (!path.isAbsolute()) {
            LOG.warn("{} is not an absolute path ({}): no wake through the session inbox", SOCKET_VARIABLE, socket);
            return Optional.empty();
        }
        return Optional.of(new ClaudeSessionInbox(path.normalize(), token));
    }

    Path socket() {
        return socket;
    }

    @Override
    public boolean ready() {
        return true;
    }

    /** Authenticates and writes the nudge as one user message; never throws, never takes much longer than {@code timeout}. */
    @Override
    public Outcome deliver(InboxNudge nudge, Duration timeout) {
        Objects.requireNonNull(nudge, "nudge");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return write(lines(nudge), deadline);
        } catch (IOException | RuntimeException e) {
            return Outcome.notWritten(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The two lines, exactly. Package-private for the tests. */
    byte[] lines(InboxNudge nudge) {
        ObjectNode auth = JSON.createObjectNode().put("type", "auth").put("token", token);
        ObjectNode user = JSON.createObjectNode().put("type", "user");
        user.putObject("message").put("role", "user").put("content", nudge.text());
        try {
            return (JSON.writeValueAsString(auth) + "\n" + JSON.writeValueAsString(user) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a nudge", e); // plain strings: does not happen
        }
    }

    private Outcome write(byte[] lines, long deadline) throws IOException {
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return Outcome.notWritten("the socket path is longer than a Unix socket allows");
        }
        Outcome file = checkFile();
        if (file != null) {
            return file;
        }
        if (!AFUNIXSocket.isSupported()) {
            return Outcome.notWritten("Unix domain sockets are not available here");
        }
        try (AFUNIXSocketChannel channel = AFUNIXSocketChannel.open()) {
            channel.configureBlocking(false);
            // A Unix socket connects at once or not at all: false is a full queue (EAGAIN), a session not
            // taking connections; waiting for it would only delay the broker link's next message.
            if (!channel.connect(AFUNIXSocketAddress.of(socket))) {
                return Outcome.notWritten("the inbox takes no connection now (its queue is full)");
            }
            int own = PrivateFiles.currentUid();
            long listener = channel.getPeerCredentials().getUid();
            if (listener != own) {
                // The token is for our session alone: never hand it to another user's process.
                return Outcome.notWritten(
                        "the process listening on the inbox runs as uid " + listener + ", not as uid " + own);
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines);
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    if (System.nanoTime() - deadline > 0) {
                        return Outcome.notWritten("the inbox did not take the nudge in time");
                    }
                    sleepBriefly();
                }
            }
            channel.shutdownOutput();
            return Outcome.WRITTEN;
        }
    }

    /** The socket file must be a socket of this user: not a link, nothing someone else put there. */
    private Outcome checkFile() throws IOException {
        Object mode;
        Object uid;
        try {
            mode = Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            uid = Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Outcome.notWritten("no socket file at " + socket);
        } catch (UnsupportedOperationException e) {
            return Outcome.notWritten("no Unix file attributes here");
        }
        if (!(mode instanceof Integer m) || (m & S_IFMT) != S_IFSOCK) {
            return Outcome.notWritten(socket + " is not a socket");
        }
        int own = PrivateFiles.currentUid();
        if (!(uid instanceof Integer u) || u != own) {
            return Outcome.notWritten(socket + " belongs to uid " + uid + ", not to uid " + own);
        }
        return null;
    }

    private static void sleepBriefly() throws IOException {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing to the session inbox", e);
        }
    }

    @Override
    public String toString() {
        return "the Claude Code session inbox at " + socket;
    }
}
