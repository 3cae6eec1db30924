package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.store.memory.InMemoryPeerStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** ask_peer between two real MCP server processes: the answer the other one sends comes back to the waiting call. */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
class McpAskProcessTest {
    private static final Pattern QUESTION = Pattern.compile("(?s).*#(\\d+) from alice.*A QUESTION.*");

    @TempDir
    Path home;

    @TempDir
    Path logs;

    @Test
    void askPeerReturnsTheAnswerTheOtherServerSendsAndResumesAfterATimeout() throws Exception {
        try (PeersBroker broker = McpFixtures.broker(home, new InMemoryPeerStore());
                RawMcp alice = RawMcp.start(
                        McpFixtures.mcpCommand("codex", "alice"),
                        McpFixtures.env(home),
                        home,
                        logs.resolve("alice.err"));
                RawMcp bob = RawMcp.start(
                        McpFixtures.mcpCommand("codex", "bob"), McpFixtures.env(home), home, logs.resolve("bob.err"))) {
            alice.initialize();
            bob.initialize();
            assertTrue(bob.text("whoami", Map.of()).contains("bob"));

            // alice asks and blocks; bob sees a question whose asker waits, and answers it.
            CompletableFuture<String> asking = CompletableFuture.supplyAsync(() ->
                    call(alice, "ask_peer", Map.of("to_id", "bob", "question", "which port?", "timeout_seconds", 45)));
            String seen = bob.text("wait_for_messages", Map.of("timeout_seconds", 45));
            Matcher question = QUESTION.matcher(seen);
            assertTrue(question.matches(), seen);
            assertTrue(seen.contains("waiting") && seen.contains("which port?"), seen);
            bob.text("send_message", Map.of("to_id", "alice", "message", "port 8080", "reply_to", question.group(1)));
            String answer = asking.get(50, TimeUnit.SECONDS);
            assertTrue(answer.startsWith("The answer to your question #" + question.group(1)), answer);
            assertTrue(answer.contains("port 8080") && answer.contains("from bob"), answer);

            // No answer within the wait: the result says how far it got and how to wait again.
            String timedOut =
                    alice.text("ask_peer", Map.of("to_id", "bob", "question", "and the host?", "timeout_seconds", 1));
            assertTrue(timedOut.startsWith("No answer from bob"), timedOut);
            String id = timedOut.replaceAll("(?s).*ask_peer\\(question_id=(\\d+)\\).*", "$1");
            assertTrue(id.matches("\\d+"), timedOut);
            bob.text("send_message", Map.of("to_id", "alice", "message", "localhost", "reply_to", id));
            String late = alice.text("ask_peer", Map.of("question_id", id, "timeout_seconds", 30));
            assertTrue(late.contains("localhost") && late.startsWith("The answer to your question #" + id), late);
        }
    }

    private static String call(RawMcp server, String tool, Map<String, Object> arguments) {
        try {
            return server.text(tool, arguments);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
