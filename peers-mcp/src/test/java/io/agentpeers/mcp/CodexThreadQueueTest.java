package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CodexThreadQueue} against a fake {@code /proc} and a fake {@code codex} that records how it was run:
 * only an app-server parent gives a queue, only a UUID from a tool call's {@code _meta} names the thread, the
 * program gets the nudge as arguments and three variables, and a failing or hanging run is "not written".
 */
class CodexThreadQueueTest {
    private static final String THREAD = "01a23270-a930-7d21-8bf1-f324c4c95903";
    private static final InboxNudge NUDGE = InboxNudge.of(7, List.of("bob", "bob"));
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long PARENT = 4242;

    @TempDir
    Path dir;

    @Test
    void onlyACodexAppServerParentGivesAQueue() throws IOException {
        Path codex = fakeCodex("exit 0");
        assertTrue(queueUnder(codex, "app-server", "--listen", "unix://").isPresent());
        assertFalse(queueUnder(codex, "exec", "--skip-git-repo-check").isPresent(), "codex exec has no daemon");
        assertFalse(
                queueUnder(writeScript("node", "exit 0"), "app-server").isPresent(), "another program's app-server");
        assertFalse(CodexThreadQueue.underAppServer(dir.resolve("proc"), 99, Map.of())
                .isPresent());
    }

    @Test
    void theThreadComesFromAToolCallsMetaAndMustBeAUuid() throws IOException {
        CodexThreadQueue queue = queueUnder(fakeCodex("exit 0"), "app-server").orElseThrow();
        assertFalse(queue.ready());
        assertEquals(
                SessionWake.Outcome.notWritten("Codex has not named this session's thread yet (no tool call so far)"),
                queue.deliver(NUDGE, TIMEOUT));
        assertFalse(queue.learn(null));
        assertFalse(queue.learn(Map.of("threadId", "--remote=ws://elsewhere")));
        assertFalse(queue.learn(Map.of("threadId", 12)));
        assertFalse(queue.ready());

        assertTrue(queue.learn(Map.of("threadId", THREAD, "sessionId", THREAD)));
        assertTrue(queue.ready());
        assertFalse(queue.learn(Map.of("threadId", "01a23270-a930-7d21-8bf1-f324c4c95904")), "the first one holds");
    }

    @Test
    void theNudgeIsQueuedWithItsTextAsAnArgumentAndAMinimalEnvironment() throws IOException {
        Path record = dir.resolve("ran.txt");
        Path codex = fakeCodex("printf '%s\\n' \"$@\" > " + record + "; env >> " + record + "; echo Queued");
        CodexThreadQueue queue = queueUnder(codex, "app-server").orElseThrow();
        queue.learn(Map.of("threadId", THREAD));

        assertEquals(SessionWake.Outcome.WRITTEN, queue.deliver(NUDGE, TIMEOUT));

        List<String> lines = Files.readAllLines(record);
        assertEquals(List.of("queue", "--thread", THREAD, "--message", NUDGE.text()), lines.subList(0, 5));
        List<String> environment = lines.subList(5, lines.size()).stream()
                .filter(line -> !line.startsWith("PWD=") && !line.startsWith("SHLVL=") && !line.startsWith("_="))
                .sorted()
                .toList();
        assertEquals(List.of("CODEX_HOME=/home/u/.codex-alt", "HOME=/home/u", "PATH=/usr/bin:/bin"), environment);
    }

    @Test
    void aFailingOrHangingRunIsNotWritten() throws IOException {
        CodexThreadQueue failing = queueUnder(fakeCodex("echo 'thread not found' >&2; exit 3"), "app-server")
                .orElseThrow();
        failing.learn(Map.of("threadId", THREAD));
        SessionWake.Outcome failed = failing.deliver(NUDGE, TIMEOUT);
        assertFalse(failed.written());
        assertTrue(
                failed.problem().contains("status 3") && failed.problem().contains("thread not found"),
                failed.problem());

        CodexThreadQueue hanging =
                queueUnder(fakeCodex("exec sleep 30"), "app-server").orElseThrow();
        hanging.learn(Map.of("threadId", THREAD));
        long start = System.nanoTime();
        SessionWake.Outcome late = hanging.deliver(NUDGE, Duration.ofMillis(300));
        assertFalse(late.written());
        assertTrue(late.problem().contains("did not finish"), late.problem());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "bounded by the timeout");
    }

    @Test
    void theNudgerWaitsForTheThreadThenNudgesWhatAlreadyWaits() throws IOException {
        Path record = dir.resolve("ran.txt");
        Path codex = fakeCodex("printf '%s\\n' \"$@\" > " + record);
        CodexThreadQueue queue = queueUnder(codex, "app-server").orElseThrow();
        InboxNudger.Timing fast = new InboxNudger.Timing(
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5));
        try (InboxNudger nudger = InboxNudger.start(queue, fast)) {
            assertTrue(nudger.wakes());
            nudger.arrived(InboxNudgerTest.envelope(3, "bob"));
            assertEquals(Delivery.POLL, nudger.delivery(), "nothing wakes a session whose thread is unknown");
            sleep(400);
            assertFalse(Files.exists(record), "nothing runs before the thread is known");

            nudger.learn(Map.of("threadId", THREAD));
            assertEquals(new Delivery(DeliveryPath.INBOX_WAKE, false), nudger.delivery());
            Await.until(Duration.ofSeconds(10), () -> Files.exists(record), "the waiting message is nudged");
            Await.until(Duration.ofSeconds(10), () -> nudger.lastWake() != null, "the outcome is recorded");
            assertTrue(nudger.lastWake().written());
        }
    }

    private Optional<CodexThreadQueue> queueUnder(Path program, String... arguments) throws IOException {
        Path process = Files.createDirectories(dir.resolve("proc").resolve(Long.toString(PARENT)));
        StringBuilder cmdline = new StringBuilder(program.toString()).append('\0');
        for (String argument : arguments) {
            cmdline.append(argument).append('\0');
        }
        Files.writeString(process.resolve("cmdline"), cmdline);
        Files.writeString(
                process.resolve("environ"), "OPENAI_API_KEY=secret\0CODEX_HOME=/home/u/.codex-alt\0TERM=xterm\0");
        Files.deleteIfExists(process.resolve("exe"));
        Files.createSymbolicLink(process.resolve("exe"), program);
        return CodexThreadQueue.underAppServer(
                dir.resolve("proc"),
                PARENT,
                Map.of("HOME", "/home/u", "PATH", "/usr/bin:/bin", "PEERS_HOME", "/home/u/.peers"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Path fakeCodex(String body) throws IOException {
        return writeScript("codex", body);
    }

    private Path writeScript(String name, String body) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("bin-" + System.nanoTime()));
        Path script = folder.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }
}
