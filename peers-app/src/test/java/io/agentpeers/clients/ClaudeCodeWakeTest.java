package io.agentpeers.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.clients.FakeMessagesApi.Answer;
import io.agentpeers.clients.FakeMessagesApi.Received;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real interactive Claude Code (pinned in {@link AgentClients}), in tmux, without the channel flag, with the
 * entry {@code peers install claude-code} wrote, against a scripted model ({@link FakeMessagesApi}): a message
 * from a peer wakes the idle session through its own inbox (the nudge, no message text), the model calls
 * check_messages and sees the message. Ten times, each after the previous turn ended and the nudger's 10 s
 * spacing; the median time from the send to the model's request with the nudge stays under 2 s, and p50, p99
 * and max go to stderr. Then the hooks the installer wrote: a prompt carries the unread line, a Stop with
 * unread mail is blocked once. Everything runs in temporary folders: HOME, CLAUDE_CONFIG_DIR, PEERS_HOME, the work
 * folder, the tmux server's socket; the broker runs in this JVM.
 */
@Tag("clients")
@ExtendWith(EndsStrayBrokers.class)
class ClaudeCodeWakeTest {
    private static final List<String> JVM_OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr");
    private static final int WAKES = 10;
    /** In every nudge ({@code InboxNudge.text()}: "1 new peer message from reviewer: call check_messages (newest #7)"). */
    private static final String NUDGE = "new peer message";
    /** How Claude Code 2.1.332 names the peers server's check_messages tool (deferred: ToolSearch loads it). */
    private static final String CHECK = "mcp__peers__check_messages";

    private static final String SEARCH_ID = "toolu_search_";
    private static final String CHECK_ID = "toolu_check_";
    private static final String DONE = "Read the peer's message; nothing else to do.";
    private static final String PROMPT = "anything new from the peers?";
    /** What the prompt hook adds ({@code peers-hook.cjs}), and the Stop hook's reason for its one block. */
    private static final String PROMPT_CONTEXT = "peers: 1 unread message from reviewer: call check_messages";

    private static final String STOP_REASON = "call check_messages before you stop";
    private static final String API_KEY = "sk-ant-api03-peers-wake-test-not-a-real-key-0000";
    private static final String SESSION = "peers-wake";
    private static final long START_SECONDS = 90;
    private static final long STEP_SECONDS = 30;
    /** The nudger writes nudges at least 10 s apart; the next send waits this long after the last nudge. */
    private static final long SPACING_MILLIS = 10_500;

    @TempDir
    Path home;

    @TempDir
    Path peersHome;

    private TmuxSession tmux;
    private Path debugLog;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aPeerMessageWakesTheIdleSessionAndTheModelReadsItTenTimes() throws Exception {
        Path claude = AgentClients.claude();
        assumeTrue(AgentClients.onPath("tmux") != null, "no tmux on PATH to run the interactive Claude Code in");
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("claude"), claude);
        Path launcher = launcher(bin);
        Path configDir = Files.createDirectories(home.resolve(".claude"));
        Path work = Files.createDirectories(home.resolve("work")).toRealPath();
        tmux = new TmuxSession(home.resolve("tmux.sock"), home, SESSION);
        debugLog = home.resolve("claude-debug.log");
        String path = bin + ":/usr/bin:/bin";

        try (FakeMessagesApi model = FakeMessagesApi.start(ClaudeCodeWakeTest::answer);
                PeersBroker broker = PeersBroker.builder()
                        .listen(new UnixSocketListener(peersHome.resolve("peers.sock")))
                        .store(new InMemoryPeerStore())
                        .sweepInterval(Duration.ofMinutes(10))
                        .start();
                PeersClient reviewer = peer("reviewer")) {
            try {
                seedConfig(configDir, work);
                String installed = install(configDir, launcher, path);
                JsonNode entry = FakeMessagesApi.JSON
                        .readTree(configDir.resolve(".claude.json").toFile())
                        .path("mcpServers")
                        .path("peers");
                assertEquals(launcher.toString(), entry.path("command").asText(), installed + "\nentry: " + entry);
                assertEquals(
                        peersHome.toString(),
                        entry.path("env").path("PEERS_HOME").asText(),
                        entry.toString());

                Map<String, String> env = new LinkedHashMap<>();
                env.put("HOME", home.toString());
                env.put("CLAUDE_CONFIG_DIR", configDir.toString());
                env.put("PATH", path);
                env.put("TERM", "xterm-256color");
                env.put("LANG", "C.UTF-8");
                env.put("ANTHROPIC_BASE_URL", model.baseUrl());
                env.put("ANTHROPIC_API_KEY", API_KEY);
                // No self-update (an npm -g install as root) and no telemetry from a test.
                env.put("DISABLE_AUTOUPDATER", "1");
                env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
                List<String> command = new ArrayList<>(List.of("env", "-i"));
                env.forEach((k, v) -> command.add(k + "=" + v));
                command.addAll(List.of(claude.toString(), "--debug-file", debugLog.toString()));
                long panePid = tmux.start(
                        work, command.stream().map(AgentClients::quoted).collect(Collectors.joining(" ")));

                PeerInfo session = awaitSession(reviewer, work, panePid, model);
                List<Long> latencies = new ArrayList<>();
                List<Integer> searched = new ArrayList<>();
                long lastNudge = 0;
                for (int i = 1; i <= WAKES; i++) {
                    if (lastNudge != 0) {
                        long wait = lastNudge + TimeUnit.MILLISECONDS.toNanos(SPACING_MILLIS) - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                    String body =
                            "review " + i + ": line 42 of Wake.java, token " + Long.toHexString(System.nanoTime());
                    int from = model.received().size();
                    long sent = System.nanoTime();
                    long id = reviewer.send(session.id(), body).message().id();

                    String at = "wake " + i + " of " + WAKES + ": ";
                    Received nudged =
                            model.await(from, r -> r.main() && r.lastUserText().contains(NUDGE), ms(STEP_SECONDS));
                    assertNotNull(
                            nudged, at + "no model request with the nudge within " + STEP_SECONDS + " s" + said());
                    latencies.add(nudged.nanos() - sent);
                    lastNudge = nudged.nanos();
                    String nudge = nudged.lastUserText();
                    assertTrue(
                            nudge.contains(
                                    "1 new peer message from reviewer: call check_messages (newest #" + id + ")"),
                            at + nudge);
                    assertFalse(nudge.contains(body), at + "the nudge carries no message text: " + nudge);

                    Received call = model.await(
                            nudged.index(),
                            r -> r.answer() != null && CHECK.equals(r.answer().tool()),
                            ms(STEP_SECONDS));
                    assertNotNull(call, at + "check_messages was not called" + said());
                    if (call.index() != nudged.index()) {
                        searched.add(i);
                    }
                    Received result = model.await(
                            call.index() + 1, r -> r.toolResult(call.answer().id()) != null, ms(STEP_SECONDS));
                    assertNotNull(
                            result, at + "no tool_result for check_messages within " + STEP_SECONDS + " s" + said());
                    String shown = result.toolResult(call.answer().id());
                    assertTrue(shown.contains(body), at + "check_messages showed the message: " + shown);
                    assertEquals(DONE, result.answer().text(), at + "the turn ends with the model's text");
                }

                long nudges = model.received().stream()
                        .filter(r -> r.main() && r.lastUserText().contains(NUDGE))
                        .count();
                assertEquals(WAKES, nudges, "one nudge per message, no repeats" + said());
                List<Long> sorted = latencies.stream().sorted().toList();
                long p50 = millis(AgentClients.percentile(sorted, 50));
                long p99 = millis(AgentClients.percentile(sorted, 99));
                long max = millis(sorted.get(sorted.size() - 1));
                System.err.printf(
                        "[ClaudeCodeWakeTest] %d wakes of Claude Code %s (send to the model's request with the nudge):"
                                + " p50 %d ms, p99 %d ms, max %d ms; each: %s ms; ToolSearch before check_messages on"
                                + " wakes %s%n",
                        WAKES,
                        AgentClients.CLAUDE_CODE_VERSION,
                        p50,
                        p99,
                        max,
                        latencies.stream().map(ClaudeCodeWakeTest::millis).toList(),
                        searched);
                assertTrue(p50 < 2000, "median wake latency " + p50 + " ms is under 2 s; each: " + latencies);

                checkHooks(configDir, model, reviewer, session);
            } finally {
                tmux.close(); // before the broker closes: the MCP server ends with its Claude Code
            }
        }
    }

    /**
     * The hooks {@code peers install claude-code} wrote, in the real session: with a message unread, a typed
     * prompt carries the unread line, and the Stop at the end of that turn is blocked once, with the reason;
     * the next Stop, with the same message unread, passes. Runs within the nudger's 10 s spacing after the
     * last wake, so the prompt's turn comes before the next nudge (which then wakes the session as before).
     */
    private void checkHooks(Path configDir, FakeMessagesApi model, PeersClient reviewer, PeerInfo session)
            throws Exception {
        String settings = Files.readString(configDir.resolve("settings.json"), StandardCharsets.UTF_8);
        assertTrue(
                settings.contains("peers-hook.cjs")
                        && settings.contains("\"mcp__peers__check_messages\"")
                        && settings.contains("\"cleanupPeriodDays\": 30"),
                settings);
        // The last wake's turn ends first (its Stop hook runs after the model's last answer): a message sent
        // before that would be the one its Stop is blocked for.
        Thread.sleep(2000);
        int from = model.received().size();
        reviewer.send(session.id(), "hook check: is the parser done?");
        tmux.type(PROMPT);
        Received prompted = model.await(from, r -> r.main() && r.lastUserText().contains(PROMPT), ms(STEP_SECONDS));
        assertNotNull(prompted, "the typed prompt reached the model" + said());
        assertTrue(
                prompted.body().toString().contains(PROMPT_CONTEXT),
                "the prompt hook added the unread line: " + prompted.lastUserText() + said());
        // Claude Code goes on with the turn and gives the model the reason (not as the user's text).
        Received blocked = model.await(
                prompted.index() + 1, r -> r.main() && r.body().toString().contains(STOP_REASON), ms(STEP_SECONDS));
        assertNotNull(blocked, "the Stop hook blocked the end of the turn, with unread mail" + said());
        Thread.sleep(3000);
        Received last = model.received().get(model.received().size() - 1);
        // The conversation carries the block on: a second block would add to it.
        assertEquals(
                occurrences(blocked.body().toString(), STOP_REASON),
                occurrences(last.body().toString(), STOP_REASON),
                "blocked once, never a loop: the second Stop, same message unread, passed" + said());
        assertNotNull(blocked.answer(), "the model was asked again after the block, and answered" + said());
    }

    /**
     * The scripted model: a nudge gets a check_messages call (after a ToolSearch that loads its schema when the
     * request does not offer it yet), check_messages' result ends the turn with {@link #DONE}, side requests
     * (the session's title) get a short text.
     */
    private static Answer answer(Received request) {
        if (!request.main()) {
            return Answer.say("Peer messages");
        }
        String result = request.lastToolResultId();
        if (result != null && result.startsWith(SEARCH_ID)) {
            return Answer.call(CHECK, Map.of(), CHECK_ID + request.index());
        }
        if (result != null && result.startsWith(CHECK_ID)) {
            return Answer.say(DONE);
        }
        if (result == null && request.lastUserText().contains(NUDGE)) {
            if (request.tools().contains(CHECK)) {
                return Answer.call(CHECK, Map.of(), CHECK_ID + request.index());
            }
            return Answer.call("ToolSearch", Map.of("query", "select:" + CHECK), SEARCH_ID + request.index());
        }
        return Answer.say("Nothing to do.");
    }

    /**
     * Claude Code's own files, seeded so that no first-run dialog blocks: onboarding done, a theme, the work
     * folder trusted, the custom API key approved (by its last 20 characters). The peers tools are allowed by
     * the rules {@code peers install claude-code} writes (without them auto mode sent each call to its
     * classifier and showed a dialog about its billing).
     */
    private static void seedConfig(Path configDir, Path work) throws IOException {
        ObjectNode state = FakeMessagesApi.JSON.createObjectNode();
        state.put("hasCompletedOnboarding", true).put("theme", "dark");
        ObjectNode keys = state.putObject("customApiKeyResponses");
        keys.putArray("approved").add(API_KEY.substring(API_KEY.length() - 20));
        keys.putArray("rejected");
        state.putObject("projects")
                .putObject(work.toString())
                .put("hasTrustDialogAccepted", true)
                .put("hasCompletedProjectOnboarding", true);
        Files.writeString(configDir.resolve(".claude.json"), FakeMessagesApi.JSON.writeValueAsString(state));
        // A user's own settings, which the installer adds its hooks and rules to.
        Files.writeString(configDir.resolve("settings.json"), "{\n  \"cleanupPeriodDays\": 30\n}\n");
    }

    /** The {@code peers} command a user has on PATH: this test's class path, via PEERS_LAUNCHER into the entry. */
    private static Path launcher(Path bin) throws IOException {
        List<String> java = new ArrayList<>(List.of(AgentClients.java()));
        java.addAll(JVM_OPTIONS);
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), io.agentpeers.app.Main.class.getName()));
        Path launcher = bin.resolve("peers");
        Files.writeString(
                launcher,
                "#!/bin/sh\nexec " + java.stream().map(AgentClients::quoted).collect(Collectors.joining(" "))
                        + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return launcher;
    }

    /** Runs {@code peers install claude-code} as the user would, with {@code claude} on PATH; returns its output. */
    private String install(Path configDir, Path launcher, String path) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "install", "claude-code")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment()
                .putAll(Map.of(
                        "HOME", home.toString(),
                        "CLAUDE_CONFIG_DIR", configDir.toString(),
                        "PEERS_HOME", peersHome.toString(),
                        "PEERS_LAUNCHER", launcher.toString(),
                        "PATH", path,
                        "DISABLE_AUTOUPDATER", "1",
                        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"));
        Process process = builder.start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), out);
            assertEquals(0, process.exitValue(), out);
            assertTrue(out.contains("ran: " + bin(launcher) + "claude mcp add"), out);
            return out;
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static String bin(Path launcher) {
        return launcher.getParent() + "/";
    }

    /**
     * Waits until the session's MCP server registered (a live claude-code peer whose agent is the Claude Code in
     * the tmux pane) and the session is idle: its prompt is on screen, no dialog, no model request yet.
     */
    private PeerInfo awaitSession(PeersClient client, Path work, long panePid, FakeMessagesApi model) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        PeerInfo found = null;
        while (System.nanoTime() < deadline) {
            if (found == null) {
                found = client.listPeers(Scope.MACHINE).stream()
                        .filter(p -> p.clientType() == ClientType.CLAUDE_CODE && p.live())
                        .filter(p -> work.toString().equals(p.cwd()))
                        .filter(p -> p.agentPid() != null && inPane(p.agentPid(), panePid))
                        .findFirst()
                        .orElse(null);
            }
            if (found != null) {
                String pane = tmux.pane();
                if (pane.contains("\u276f")
                        && !pane.contains("Enter to confirm")
                        && !pane.contains("Enter to continue")) {
                    assertTrue(model.received().stream().noneMatch(Received::main), "no turn before the first nudge");
                    return found;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("within " + START_SECONDS + " s, no idle Claude Code session with a registered peers"
                + " MCP server (registered: " + (found != null) + ")" + said());
    }

    private static boolean inPane(long pid, long panePid) {
        if (pid == panePid) {
            return true;
        }
        return ProcessHandle.of(panePid).stream()
                .flatMap(ProcessHandle::descendants)
                .anyMatch(p -> p.pid() == pid);
    }

    /** What the screen and Claude Code's debug log show, for a failure message. */
    private String said() {
        String log;
        try {
            log = Files.readString(debugLog, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log = "(no debug log: " + e + ")";
        }
        return "\n--- the tmux pane:\n" + tmux.pane().strip() + "\n--- the end of Claude Code's debug log:\n"
                + (log.length() <= 6000 ? log : "..." + log.substring(log.length() - 6000));
    }

    private PeersClient peer(String name) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(peersHome.resolve("peers.sock")),
                ClientOptions.defaults().withClientName("claude-wake-test").withRequestTimeout(Duration.ofSeconds(30)));
        client.register(RegisterRequest.of(home.toString(), ClientType.GENERIC).withName(name));
        return client;
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long ms(long seconds) {
        return TimeUnit.SECONDS.toMillis(seconds);
    }
}
