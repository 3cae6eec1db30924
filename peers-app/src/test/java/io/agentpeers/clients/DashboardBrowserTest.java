package io.agentpeers.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.testkit.Await;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium (Debian's, driven by playwright-core from npm): two peers are
 * shown, a message one sends appears live as text (its {@code <script>} never runs) and turns read when the
 * other reads it, the page's own send reaches a peer, the kill confirmation names what ends, and requests
 * without the session cookie or from another origin are refused. Skipped, with the reason, where Chromium
 * or npm is missing. Leaves a screenshot in {@code target/dashboard.png}.
 */
@Tag("browser")
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theDashboardShowsPeersAndMessagesLiveAndActsAsThePerson() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            abort("no " + CHROMIUM + ": install Debian's chromium (apt-get install chromium; .ci/run does)");
        }
        Path node = AgentClients.onPath("node");
        if (node == null) {
            abort("no node on PATH to run playwright-core");
        }
        Path modules = AgentClients.playwrightModules();
        Path script = dir.resolve("dashboard-check.js");
        try (var in = DashboardBrowserTest.class.getResourceAsStream("/io/agentpeers/browser/dashboard-check.js")) {
            Files.copy(in, script);
        }
        Path screenshot = Path.of(System.getProperty("basedir", "."), "target", "dashboard.png")
                .toAbsolutePath();
        Files.createDirectories(screenshot.getParent());

        Path socket = dir.resolve("peers.sock");
        List<PeersClient> clients = new ArrayList<>();
        try (InMemoryPeerStore store = new InMemoryPeerStore();
                PeersBroker broker = PeersBroker.builder()
                        .listen(new UnixSocketListener(socket))
                        .store(store)
                        .start()) {
            PeersClient alice = connect(socket, clients, "alice", "reviewing the store contract suites");
            PeersClient bob = connect(socket, clients, "bob", "writing the dashboard's browser test");
            PeersClient person = connect(socket, clients, "person", null, ClientType.CLI);
            String url = person.call("dashboard", JsonNodeFactory.instance.objectNode(), JsonNode.class)
                    .path("url")
                    .asText();
            person.close();
            Await.until(
                    Duration.ofSeconds(5),
                    () -> broker.network().livePeers().stream().noneMatch(p -> "person".equals(p.name())),
                    "the CLI peer goes with its command");

            ProcessBuilder builder = new ProcessBuilder(node.toString(), script.toString(), url, screenshot.toString())
                    .redirectErrorStream(true);
            builder.environment().put("NODE_PATH", modules.toString());
            builder.environment().put("CHROMIUM", CHROMIUM.toString());
            Process browser = builder.start();
            BlockingQueue<String> out = new LinkedBlockingQueue<>();
            List<String> transcript = new ArrayList<>();
            Thread reader = new Thread(() -> readLines(browser, out), "browser-output");
            reader.setDaemon(true);
            reader.start();
            OutputStream toBrowser = browser.getOutputStream();
            try {
                assertEquals("step peers-shown 2", next(out, transcript, "step peers-shown"));

                next(out, transcript, "step want-send");
                Results.Sent sent = alice.send("bob", "look: <script>window.__pwned = 1</script> <b>bold?</b>");
                tell(toBrowser, String.valueOf(sent.message().id()));
                String seen = next(out, transcript, "step seen");
                System.err.println("dashboard: the message showed " + seen.substring("step seen ".length())
                        + " ms after the send returned");

                next(out, transcript, "step want-read");
                assertEquals(1, bob.markRead(List.of(sent.message().id())));
                tell(toBrowser, "read");
                next(out, transcript, "step read-shown");

                next(out, transcript, "step want-reply");
                Results.Sent reply =
                        bob.send("alice", "thanks, on it", sent.message().id());
                tell(toBrowser, String.valueOf(reply.message().id()));
                next(out, transcript, "step thread-grouped");

                next(out, transcript, "step page-sent");
                List<Envelope> inbox = Await.value(
                        Duration.ofSeconds(10),
                        () -> {
                            List<Envelope> unread = bob.unread(10);
                            return unread.isEmpty() ? null : unread;
                        },
                        "the page's message reaches bob");
                assertEquals("from the page", inbox.get(0).message().text());
                assertEquals("person", inbox.get(0).sender().name(), "sent as the person's CLI peer");
                tell(toBrowser, "ok");

                String asked = next(out, transcript, "step kill-asked");
                String aliceId = alice.self().id();
                assertTrue(asked.contains("alice") && asked.contains(aliceId), asked);
                assertTrue(asked.contains("pid " + ProcessHandle.current().pid()), "names the process: " + asked);
                assertTrue(alice.connected(), "Cancel ended nothing");
                next(out, transcript, "step filtered");
                next(out, transcript, "step themes-and-narrow");

                assertEquals("step no-cookie 401", next(out, transcript, "step no-cookie"));
                assertEquals("step foreign-origin 403", next(out, transcript, "step foreign-origin"));
                assertEquals("step same-origin 200", next(out, transcript, "step same-origin"));
                next(out, transcript, "step done");
                assertTrue(bob.unread(10).stream()
                        .noneMatch(e -> e.message().text().contains("another origin")));
                assertTrue(browser.waitFor(30, TimeUnit.SECONDS), "the browser script ends");
                assertEquals(0, browser.exitValue(), String.join("\n", transcript));
            } finally {
                browser.descendants().forEach(ProcessHandle::destroyForcibly);
                browser.destroyForcibly();
                browser.waitFor(10, TimeUnit.SECONDS);
                clients.forEach(PeersClient::close);
            }
        }
    }

    private static PeersClient connect(Path socket, List<PeersClient> clients, String name, String summary) {
        return connect(socket, clients, name, summary, ClientType.GENERIC);
    }

    private static PeersClient connect(
            Path socket, List<PeersClient> clients, String name, String summary, ClientType type) {
        PeersClient client = PeersClient.connect(new UnixSocketConnector(socket));
        clients.add(client);
        RegisterRequest request =
                RegisterRequest.of(socket.getParent().toString(), type).withName(name);
        if (type != ClientType.CLI) {
            request = request.withRepo(socket.getParent().toString(), "github.com/agentpeers/peers");
        }
        client.register(request);
        if (summary != null) {
            client.setSummary(summary);
        }
        return client;
    }

    /** The next line that starts with {@code prefix}; a "fail" line, an end or a minute's silence fails. */
    private static String next(BlockingQueue<String> out, List<String> transcript, String prefix)
            throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            String line = out.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            transcript.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
            if (line.startsWith("fail") || line.equals("<end>")) {
                throw new AssertionError(
                        "the browser script failed before '" + prefix + "':\n" + String.join("\n", transcript));
            }
        }
        throw new AssertionError("no '" + prefix + "' from the browser script in " + STEP.toSeconds() + " s:\n"
                + String.join("\n", transcript));
    }

    private static void tell(OutputStream toBrowser, String line) throws IOException {
        toBrowser.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        toBrowser.flush();
    }

    private static void readLines(Process process, BlockingQueue<String> out) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                out.add(line);
            }
        } catch (IOException e) {
            out.add("fail reading the script's output: " + e);
        }
        out.add("<end>");
    }
}
