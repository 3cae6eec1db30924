package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * The session inbox client against a {@link FakeSessionInbox}: the exact two lines, and every way it
 * fails closed (reported as not written, quickly, nothing thrown).
 */
class ClaudeSessionInboxTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SOON = Duration.ofSeconds(10);
    private static final InboxNudge TWO_FROM_REVIEWER = InboxNudge.of(12, List.of("reviewer", "reviewer"));

    @TempDir
    Path dir;

    @Test
    void writesTheAuthLineThenTheNudgeLineAndNothingElse() throws Exception {
        try (FakeSessionInbox fake = FakeSessionInbox.start(dir.resolve("inbox.sock"))) {
            SessionWake.Outcome outcome = FakeSessionInbox.inbox(fake.path()).deliver(TWO_FROM_REVIEWER, TIMEOUT);

            assertTrue(outcome.written(), outcome::toString);
            assertEquals(
                    List.of(
                            "{\"type\":\"auth\",\"token\":\"cc-test-token-\\\"7f3a\\\"-do-not-log\"}",
                            "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":"
                                    + "\"2 new peer messages from reviewer: call check_messages (newest #12)\"}}"),
                    fake.next(SOON));
            assertNull(fake.next(Duration.ofMillis(200)), "one connection per nudge");
        }
    }

    @Test
    void theTokenIsNeverInTheInboxDescription() {
        ClaudeSessionInbox inbox = FakeSessionInbox.inbox(dir.resolve("inbox.sock"));
        assertFalse(inbox.toString().contains(FakeSessionInbox.TOKEN), inbox.toString());
        assertTrue(inbox.toString().contains(dir.resolve("inbox.sock").toString()), inbox.toString());
    }

    @Test
    void anInboxNeedsBothVariablesAndAnAbsolutePath() {
        assertTrue(ClaudeSessionInbox.fromEnvironment(Map.of()).isEmpty());
        assertTrue(
                ClaudeSessionInbox.fromEnvironment(Map.of(ClaudeSessionInbox.SOCKET_VARIABLE, "/tmp/cc-socks/a.sock"))
                        .isEmpty());
        assertTrue(ClaudeSessionInbox.fromEnvironment(Map.of(ClaudeSessionInbox.TOKEN_VARIABLE, "t"))
                .isEmpty());
        assertTrue(ClaudeSessionInbox.fromEnvironment(Map.of(
                        ClaudeSessionInbox.SOCKET_VARIABLE, "cc-socks/a.sock", ClaudeSessionInbox.TOKEN_VARIABLE, "t"))
                .isEmpty());
    }

    @Test
    void noSocketFileIsNotWritten() {
        SessionWake.Outcome outcome =
                FakeSessionInbox.inbox(dir.resolve("gone.sock")).deliver(TWO_FROM_REVIEWER, TIMEOUT);
        assertFalse(outcome.written());
        assertTrue(outcome.problem().contains("no socket file"), outcome.problem());
    }

    @Test
    void aSocketNobodyListensOnRefusesAndIsNotWritten() throws IOException {
        Path stale = dir.resolve("stale.sock");
        AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(stale, false);
        server.close(); // the file stays, nothing listens: what a crashed session leaves
        Assumptions.assumeTrue(Files.exists(stale), "junixsocket left the socket file");

        long start = System.nanoTime();
        SessionWake.Outcome outcome = FakeSessionInbox.inbox(stale).deliver(TWO_FROM_REVIEWER, TIMEOUT);

        assertFalse(outcome.written());
        assertTrue(outcome.problem().toLowerCase().contains("refused"), outcome.problem());
        assertTrue(System.nanoTime() - start < TIMEOUT.toNanos(), "at once");
    }

    @Test
    void aFileThatIsNotASocketOrALinkToOneIsNotWritten() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        assertEquals(
                "" + plain + " is not a socket",
                FakeSessionInbox.inbox(plain)
                        .deliver(TWO_FROM_REVIEWER, TIMEOUT)
                        .problem());
        try (FakeSessionInbox fake = FakeSessionInbox.start(dir.resolve("real.sock"))) {
            Path link = Files.createSymbolicLink(dir.resolve("link.sock"), fake.path());
            SessionWake.Outcome outcome = FakeSessionInbox.inbox(link).deliver(TWO_FROM_REVIEWER, TIMEOUT);
            assertFalse(outcome.written(), "a link is never followed");
            assertNull(fake.next(Duration.ofMillis(300)), "nothing reached the socket behind the link");
        }
    }

    @Test
    void anInboxWhoseQueueIsFullIsNotWrittenAndNotWaitedFor() throws Exception {
        Path path = dir.resolve("busy.sock");
        List<SocketChannel> queued = new ArrayList<>();
        // Listens with a queue of one and never accepts: a session that takes no connection.
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
            server.bind(AFUNIXSocketAddress.of(path), 1);
            boolean full = false;
            for (int i = 0; i < 64 && !full; i++) {
                AFUNIXSocketChannel client = AFUNIXSocketChannel.open();
                queued.add(client);
                client.configureBlocking(false);
                full = !client.connect(AFUNIXSocketAddress.of(path));
            }
            Assumptions.assumeTrue(full, "the kernel queued 64 connections on a backlog of 1");

            long start = System.nanoTime();
            SessionWake.Outcome outcome = FakeSessionInbox.inbox(path).deliver(TWO_FROM_REVIEWER, TIMEOUT);

            assertFalse(outcome.written());
            assertTrue(outcome.problem().contains("queue is full"), outcome.problem());
            assertTrue(System.nanoTime() - start < TIMEOUT.toNanos(), "not waited for");
        } finally {
            for (SocketChannel client : queued) {
                client.close();
            }
        }
    }
}
