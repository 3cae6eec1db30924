package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Node hook that {@code peers install claude-code} writes, run the way Claude Code runs it (a shell
 * child, the hook's input on stdin) against a broker process. This JVM stands for Claude Code: it holds
 * the session's peer with itself as the agent, so the hook (node, under sh, under this JVM) is its descendant.
 */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
class ClaudeHookProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theHookAddsPromptContextBlocksAStopOnceAndIsSilentWhenTheBrokerIsDown() throws Exception {
        Path node = onPath("node");
        assumeTrue(node != null, "no node on PATH: the hook is a Node script");
        Path script = writeScript();
        ClientOptions options =
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(10));
        try (ChildBroker broker = ChildBroker.start(dir.resolve("home"), Map.of())) {
            String command = String.join(
                    " ", node.toString(), script.toString(), broker.socket().toString());
            assertEquals("", hook(command, prompt()), "no peer's agent is above the hook yet: silence");

            try (PeersClient bob = PeersClient.connect(new UnixSocketConnector(broker.socket()), options);
                    PeersClient me = PeersClient.connect(new UnixSocketConnector(broker.socket()), options)) {
                bob.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("bob"));
                Thread.sleep(20); // of two peers with one agent (this JVM), the hook's is the one registered last
                String id = me.register(
                                RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withName("me"))
                        .peer()
                        .id();
                assertEquals(Delivery.POLL, bob.getPeer("me").delivery(), "no hook has run for me yet");
                assertEquals("", hook(command, prompt()), "nothing unread: no context");
                assertEquals(Delivery.HOOKS, bob.getPeer("me").delivery(), "a hook ran: me sees messages by its hooks");
                assertEquals(
                        "You are reachable on peers as me (" + id + "); 0 unread",
                        context(hook(command, event("SessionStart", "\"source\":\"startup\""))));

                bob.send("me", "first, a body the hook never shows");
                bob.send("me", "second");
                assertEquals(
                        "peers: 2 unread messages from bob: call check_messages", context(hook(command, prompt())));

                JsonNode block = JSON.readTree(hook(command, stop(false)));
                assertEquals("block", block.path("decision").asText(), block.toString());
                assertEquals(
                        "peers: 2 unread messages from bob: call check_messages before you stop",
                        block.path("reason").asText());
                assertEquals("", hook(command, stop(false)), "the same unread set: the next stop passes");
                bob.send("me", "third");
                assertEquals("", hook(command, stop(true)), "stop_hook_active: Claude Code is already continuing");
                assertEquals(
                        "block",
                        JSON.readTree(hook(command, stop(false)))
                                .path("decision")
                                .asText());
                assertEquals("", hook(command, stop(false)));
                assertEquals(
                        "You are reachable on peers as me (" + id + "); 3 unread messages from bob: call"
                                + " check_messages",
                        context(hook(command, event("SessionStart", "\"source\":\"resume\""))));

                assertEquals("", hook(command, "this is not json"), "bad input: silence");
                assertEquals(
                        "", hook(command, event("PreToolUse", "\"tool_name\":\"Bash\"")), "an event it does not serve");
            }

            broker.kill9();
            long start = System.nanoTime();
            assertEquals("", hook(command, prompt()), "the broker is down: silence");
            assertEquals("", hook(command, stop(false)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 3_000, "two hooks against a dead broker took " + millis + " ms");
        }
    }

    @Test
    void senderNamesAreCleanedAndAHungBrokerIsGivenUpOnWithinASecond() throws Exception {
        Path node = onPath("node");
        assumeTrue(node != null, "no node on PATH: the hook is a Node script");
        Path script = writeScript();
        Path socket = dir.resolve("fake.sock");
        String hostile = "{\"peer\":{\"id\":\"k3v9\\u001b[2J\",\"name\":\"me\\u202e\"},\"unread\":2,"
                + "\"senders\":[\"ev\\u001b]0;pwned\\u0007il\",\"bob\\u202egnp.exe\\n\\r" + "x".repeat(80) + "\"],"
                + "\"block_stop\":true}";
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread fake = new Thread(() -> answerAll(server, hostile), "fake-broker");
            fake.setDaemon(true);
            fake.start();
            String command = String.join(" ", node.toString(), script.toString(), socket.toString());
            String context = context(hook(command, prompt()));
            assertEquals(
                    "peers: 2 unread messages from ev0pwnedil, bobgnp.exe" + "x".repeat(22) + ": call check_messages",
                    context,
                    "letters, digits and . _ - only, 32 at most");
            assertEquals(
                    "You are reachable on peers as me (k3v92J); 2 unread messages from ev0pwnedil, bobgnp.exe"
                            + "x".repeat(22) + ": call check_messages",
                    context(hook(command, event("SessionStart", "\"a\":1"))));
        }

        Path hung = dir.resolve("hung.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(hung)); // accepts (the backlog) but never answers
            String command = String.join(" ", node.toString(), script.toString(), hung.toString());
            long start = System.nanoTime();
            assertEquals("", hook(command, stop(false)), "no answer: silence");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 2_000, "gave up after " + millis + " ms");
        }
    }

    /** A broker that answers hello and then every request with {@code result}, for one connection at a time. */
    private static void answerAll(ServerSocketChannel server, String result) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept();
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
                    OutputStream out = Channels.newOutputStream(client)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    JsonNode request = JSON.readTree(line);
                    String answer = request.path("method").asText().equals("hello")
                            ? "{\"protocol\":1,\"broker_version\":\"x\",\"transport\":\"unix\",\"verified\":true}"
                            : result;
                    out.write(("{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id") + ",\"result\":" + answer + "}\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private Path writeScript() throws IOException {
        Path script = Files.createDirectories(dir.resolve("hooks")).resolve("peers-hook.cjs");
        try (InputStream in = getClass().getResourceAsStream("/io/agentpeers/cli/peers-hook.cjs")) {
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    private String prompt() {
        return event("UserPromptSubmit", "\"prompt\":\"hi\"");
    }

    private String stop(boolean active) {
        return event("Stop", "\"stop_hook_active\":" + active);
    }

    private String event(String name, String fields) {
        return "{\"session_id\":\"s1\",\"transcript_path\":\"" + dir + "/t.jsonl\",\"cwd\":\"/w\","
                + "\"hook_event_name\":\"" + name + "\"," + fields + "}";
    }

    private static String context(String output) throws IOException {
        JsonNode root = JSON.readTree(output);
        return root.path("hookSpecificOutput").path("additionalContext").asText(root.toString());
    }

    private static String hook(String command, String input) throws IOException, InterruptedException {
        return HookRuns.run(command, input);
    }

    private static Path onPath(String name) {
        return HookRuns.onPath(name);
    }
}
