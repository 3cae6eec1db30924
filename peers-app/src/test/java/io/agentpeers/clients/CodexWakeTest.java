package io.agentpeers.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.clients.FakeResponsesApi.Step;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real interactive Codex (pinned in {@link AgentClients}), in tmux, with the entry {@code peers install codex}
 * wrote, against a scripted model ({@link FakeResponsesApi}): after the session's first peers tool call (which
 * names its thread), a message from a peer wakes the idle session through {@code codex queue} (the nudge, no
 * message text), the model calls check_messages and sees the message; the broker reports the session's delivery
 * as {@code inbox-wake}, confirmed once a wake was followed by a read. Five times, each after the previous turn
 * and the nudger's 10 s spacing; p50, p99 and max go to stderr. Everything runs in temporary folders: HOME,
 * CODEX_HOME, PEERS_HOME, the work folder, the tmux server's socket; the broker runs in this JVM.
 */
@Tag("clients")
@ExtendWith(EndsStrayBrokers.class)
class CodexWakeTest {
    private static final int WAKES = 5;
    private static final String NUDGE = "new peer message";
    private static final String START = "start: tell the peers what you are doing";
    private static final String SUMMARY = "testing the Codex wake";
    private static final String DONE = "Read the peer's message; nothing else to do.";
    private static final String SESSION = "peers-codex-wake";
    private static final long START_SECONDS = 90;
    private static final long STEP_SECONDS = 30;
    private static final Duration STEP = Duration.ofSeconds(STEP_SECONDS);
    private static final long SPACING_MILLIS = 10_500;

    @TempDir
    Path home;

    @TempDir
    Path peersHome;

    /** The tool each call the model made was for, by call id. */
    private final Map<String, String> calls = new ConcurrentHashMap<>();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPeerMessageWakesTheIdleCodexSessionAndTheModelReadsIt() throws Exception {
        Path codex = AgentClients.codex();
        assumeTrue(AgentClients.onPath("tmux") != null, "no tmux on PATH to run the interactive Codex in");
        Path codexHome = Files.createDirectories(home.resolve(".codex"));
        Path work = Files.createDirectories(home.resolve("work")).toRealPath();
        try (FakeResponsesApi model = FakeResponsesApi.answering(this::answer);
                PeersBroker broker = PeersBroker.builder()
                        .listen(new UnixSocketListener(peersHome.resolve("peers.sock")))
                        .store(new InMemoryPeerStore())
                        .sweepInterval(Duration.ofMinutes(10))
                        .start();
                PeersClient reviewer = peer("reviewer");
                TmuxSession tmux = new TmuxSession(home.resolve("tmux.sock"), home, SESSION)) {
            Files.writeString(codexHome.resolve("config.toml"), """
                    model = "fake-model"
                    model_provider = "fake"

                    [model_providers.fake]
                    name = "fake"
                    base_url = "%s"
                    wire_api = "responses"
                    env_key = "FAKE_OPENAI_KEY"
                    """.formatted(model.baseUrl()));
            AgentClients.installCodex(home, peersHome, codexHome);

            Map<String, String> env = new LinkedHashMap<>();
            env.put("HOME", home.toString());
            env.put("CODEX_HOME", codexHome.toString());
            env.put("PATH", "/usr/bin:/bin");
            env.put("TERM", "xterm-256color");
            env.put("LANG", "C.UTF-8");
            env.put("FAKE_OPENAI_KEY", "not-a-key");
            List<String> command = new ArrayList<>(List.of("env", "-i"));
            env.forEach((k, v) -> command.add(k + "=" + v));
            command.add(codex.toString());
            tmux.start(work, command.stream().map(AgentClients::quoted).collect(Collectors.joining(" ")));

            PeerInfo session = awaitSession(reviewer, work, tmux);
            tmux.rememberProcesses(); // Codex's app-server outlives the TUI: end it by its pid
            assertEquals(Delivery.POLL, session.delivery(), "nothing wakes a session before it names its thread");

            int from = model.requests().size();
            tmux.type(START);
            int summarized = model.await(from, r -> outputOf(r, "set_summary") != null, STEP);
            assertTrue(summarized >= 0, "the model's set_summary ran" + said(tmux, model));
            tmux.rememberProcesses();
            PeerInfo named = awaitDelivery(reviewer, session.id(), new Delivery(DeliveryPath.INBOX_WAKE, false));
            assertEquals(
                    SUMMARY,
                    named.summary(),
                    () -> "set_summary answered: " + outputOf(model.requests().get(summarized), "set_summary"));

            List<Long> latencies = new ArrayList<>();
            long lastNudge = System.nanoTime();
            for (int i = 1; i <= WAKES; i++) {
                long wait = lastNudge + TimeUnit.MILLISECONDS.toNanos(SPACING_MILLIS) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String body = "review " + i + ": line 42 of Queue.java, token " + Long.toHexString(System.nanoTime());
                from = model.requests().size();
                long sent = System.nanoTime();
                long id = reviewer.send(session.id(), body).message().id();

                String at = "wake " + i + " of " + WAKES + ": ";
                int nudged = model.await(
                        from,
                        r -> FakeResponsesApi.endsWithUserText(r)
                                && FakeResponsesApi.lastUserText(r).contains(NUDGE),
                        STEP);
                assertTrue(nudged >= 0, at + "no model request with the nudge" + said(tmux, model));
                latencies.add(model.arrival(nudged) - sent);
                lastNudge = model.arrival(nudged);
                String nudge = FakeResponsesApi.lastUserText(model.requests().get(nudged));
                assertTrue(
                        nudge.contains("1 new peer message from reviewer: call check_messages (newest #" + id + ")"),
                        at + nudge);
                assertFalse(nudge.contains(body), at + "the nudge carries no message text: " + nudge);

                int read = model.await(nudged, r -> outputOf(r, "check_messages") != null, STEP);
                assertTrue(read >= 0, at + "check_messages ran" + said(tmux, model));
                String shown = outputOf(model.requests().get(read), "check_messages");
                assertTrue(shown.contains(body), at + "check_messages showed the message: " + shown);
                if (i == 1) {
                    awaitDelivery(reviewer, session.id(), new Delivery(DeliveryPath.INBOX_WAKE, true));
                }
            }
            List<Long> sorted = latencies.stream().sorted().toList();
            long p50 = millis(AgentClients.percentile(sorted, 50));
            System.err.printf(
                    "[CodexWakeTest] %d wakes of Codex %s (send to the model's request with the nudge): p50 %d ms,"
                            + " p99 %d ms, max %d ms; each: %s ms%n",
                    WAKES,
                    AgentClients.CODEX_VERSION,
                    p50,
                    millis(AgentClients.percentile(sorted, 99)),
                    millis(sorted.get(sorted.size() - 1)),
                    latencies.stream().map(CodexWakeTest::millis).toList());
            assertTrue(p50 < 2000, "median wake latency " + p50 + " ms is under 2 s; each: " + latencies);
        }
    }

    /**
     * The scripted model: the typed start gets a set_summary call (which names the thread to peers), a nudge a
     * check_messages call, each tool's result a short last word; Codex's side requests (the session's title) a
     * short text.
     */
    private Step answer(int index, JsonNode request) {
        if (FakeResponsesApi.endsWithUserText(request)) {
            String text = FakeResponsesApi.lastUserText(request);
            if (text.contains(START)) {
                return call(index, "set_summary", Map.of("summary", SUMMARY));
            }
            if (text.contains(NUDGE)) {
                return call(index, "check_messages", Map.of());
            }
            return Step.say("Peers");
        }
        if (outputOf(request, "set_summary") != null) {
            return Step.say("Summary set.");
        }
        return Step.say(DONE);
    }

    private Step call(int index, String tool, Map<String, Object> arguments) {
        calls.put(FakeResponsesApi.callId(index), tool);
        return Step.call(tool, arguments);
    }

    /** The output of a call of {@code tool} when it is the last item of {@code request}'s input, else null. */
    private String outputOf(JsonNode request, String tool) {
        JsonNode input = request.path("input");
        if (input.isEmpty()) {
            return null;
        }
        JsonNode last = input.get(input.size() - 1);
        if (!"function_call_output".equals(last.path("type").asText())
                || !tool.equals(calls.get(last.path("call_id").asText()))) {
            return null;
        }
        JsonNode output = last.path("output");
        if (output.isTextual()) {
            return output.asText();
        }
        StringBuilder text = new StringBuilder();
        output.forEach(part -> text.append(part.path("text").asText()).append('\n'));
        return text.toString();
    }

    /** Waits until the session's MCP server registered (a live codex peer in the work folder) and Codex is idle. */
    private PeerInfo awaitSession(PeersClient client, Path work, TmuxSession tmux) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            Optional<PeerInfo> found = client.listPeers(Scope.MACHINE).stream()
                    .filter(p -> p.clientType() == ClientType.CODEX
                            && p.live()
                            && work.toString().equals(p.cwd()))
                    .findFirst();
            if (found.isPresent() && tmux.pane().contains("\u203a ")) {
                return found.get();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("within " + START_SECONDS + " s, no idle Codex session with a registered peers MCP"
                + " server\n--- the tmux pane:\n" + tmux.pane());
    }

    private static PeerInfo awaitDelivery(PeersClient client, String id, Delivery expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        PeerInfo seen = null;
        while (System.nanoTime() < deadline) {
            seen = client.getPeer(id);
            if (expected.equals(seen.delivery())) {
                return seen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the broker reports " + expected + " for the Codex session; it says "
                + (seen == null ? null : seen.delivery()));
    }

    private static String said(TmuxSession tmux, FakeResponsesApi model) {
        return "\n--- the tmux pane:\n" + tmux.pane().strip() + "\n--- requests: "
                + model.requests().size();
    }

    private PeersClient peer(String name) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(peersHome.resolve("peers.sock")),
                ClientOptions.defaults().withClientName("codex-wake-test").withRequestTimeout(Duration.ofSeconds(30)));
        client.register(RegisterRequest.of(home.toString(), ClientType.GENERIC).withName(name));
        return client;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
