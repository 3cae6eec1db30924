package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.PeerText;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI on a pseudo-terminal, after another peer put escape sequences in its folder, summary and
 * messages: {@code list}, {@code history}, {@code inbox} and a bounded {@code watch} show them escaped, so
 * the bytes the terminal receives hold none of them raw; with {@code --json} the output is still exact JSON.
 */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
class TerminalEscapesProcessTest {
    /** Each thing a terminal acts on: OSC 0 (title), OSC 52 (clipboard), clear, conceal, C1 CSI, BEL, BS, CR, NEL, RLO. */
    private static final String HOSTILE = "x\u001b]0;pwned\u0007 \u001b]52;c;cHduZWQ=\u0007 \u001b[2J \u001b[8m"
            + " \u009b31m \u0007 \b \r \u0085 \u202e end";

    private static final List<String> RAW_SEQUENCES =
            List.of("\u001b]0;pwned\u0007", "\u001b]52;", "\u001b[2J", "\u001b[8m", "\u009b31m");
    private static final Duration WATCHED = Duration.ofSeconds(60);

    @TempDir
    Path home;

    @Test
    void peerTextReachesTheTerminalEscapedAndJsonStaysExact() throws Exception {
        assumeTrue(CliProcess.terminalAvailable(), "no util-linux script (or stty) here to run a pseudo-terminal");
        Path peersHome = home.resolve("p");
        CliProcess cli = new CliProcess(home, peersHome).env("LC_ALL", "C.UTF-8");
        Long broker = null;
        try {
            CliProcess.Result start = cli.run("broker", "start", "--json");
            assertEquals(0, start.exit(), start::toString);
            broker = start.json().path("broker").path("pid").asLong();
            assertEquals(0, cli.run("inbox").exit(), "the person's CLI peer exists");

            String cwd = "/tmp/" + HOSTILE;
            String text = "hello " + HOSTILE + "\nsecond line " + HOSTILE;
            try (PeersClient mallory = hostilePeer(peersHome, "mallory", cwd)) {
                mallory.setSummary(HOSTILE);
                mallory.send("testuser", text);

                JsonNode listed = json(cli.runInTerminal("list", "--json"));
                assertTrue(texts(listed).containsAll(List.of(HOSTILE, cwd)), listed::toString);
                assertTrue(texts(json(cli.runInTerminal("inbox", "--keep", "--json")))
                        .contains(text));
                assertTrue(texts(json(cli.runInTerminal("history", "--json"))).contains(text));

                for (String[] command :
                        List.of(new String[] {"list"}, new String[] {"inbox"}, new String[] {"history"})) {
                    CliProcess.Result shown = cli.runInTerminal(command);
                    assertEquals(0, shown.exit(), shown::toString);
                    assertInert(command[0], shown.out());
                    assertTrue(shown.out().contains("\\x1b]0;pwned\\x07"), command[0] + " shows it: " + shown);
                    if (!command[0].equals("history")) { // history cuts the text before the end
                        assertTrue(shown.out().contains("\\u202e"), command[0] + " shows it: " + shown);
                    }
                }

                watch(cli, peersHome, mallory);
            }
        } finally {
            if (broker != null) {
                ProcessHandle.of(broker).ifPresent(ProcessHandle::destroy);
            }
        }
    }

    /** {@code watch} and {@code watch --json} while a peer joins, changes its summary, sends and leaves. */
    private void watch(CliProcess cli, Path peersHome, PeersClient mallory) throws Exception {
        Process human = cli.startInTerminal("watch");
        Process json = cli.startInTerminal("watch", "--json");
        try {
            Captured humanOut = Captured.of(human.getInputStream());
            Captured jsonOut = Captured.of(json.getInputStream());
            for (Captured out : List.of(humanOut, jsonOut)) {
                out.await(t -> t.contains("watching the broker"), "watch starts");
            }
            try (PeersClient eve = hostilePeer(peersHome, "eve", "/tmp/eve " + HOSTILE)) {
                mallory.setSummary("now " + HOSTILE);
                mallory.send("testuser", "again " + HOSTILE);
            }
            humanOut.await(t -> t.contains("- eve") && t.contains("again"), "the events are shown");
            jsonOut.await(t -> t.contains("peer_left") && t.contains("again"), "the events are written");

            String shown = humanOut.text();
            assertInert("watch", shown);
            assertTrue(shown.contains("\\x1b]0;pwned\\x07") && shown.contains("\\u202e"), shown);

            String written = jsonOut.text();
            assertInert("watch --json", written);
            List<String> texts = new ArrayList<>();
            for (String line : written.split("\n")) {
                if (line.startsWith("{")) {
                    texts.addAll(texts(CliProcess.JSON.readTree(line)));
                }
            }
            assertTrue(
                    texts.containsAll(List.of("/tmp/eve " + HOSTILE, "now " + HOSTILE, "again " + HOSTILE)),
                    "each line parses back to the peer's text: " + texts);
        } finally {
            CliProcess.endInTerminal(human);
            CliProcess.endInTerminal(json);
        }
    }

    private static PeersClient hostilePeer(Path peersHome, String name, String cwd) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(peersHome.resolve("peers.sock")),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
        client.register(RegisterRequest.of(cwd, ClientType.GENERIC).withName(name));
        return client;
    }

    /**
     * None of the sequences raw, and no control character at all but line feeds and tab once the colour
     * codes the CLI paints itself (bold, dim, red, green, yellow, cyan, reset) are taken out.
     */
    private static void assertInert(String command, String received) {
        for (String raw : RAW_SEQUENCES) {
            assertFalse(received.contains(raw), command + " let " + visible(raw) + " through: " + visible(received));
        }
        String uncoloured = received.replaceAll("\u001b\\[(?:0|1|2|31|32|33|36)m", "");
        uncoloured
                .chars()
                .forEach(c -> assertTrue(
                        c == '\n' || c == '\t' || !PeerText.isControl((char) c),
                        command + " let U+" + String.format("%04x", c) + " through: " + visible(received)));
    }

    /** Controls as {@code <U+001b>}, line feeds kept: not the CLI's own escaping, which is under test. */
    private static String visible(String text) {
        StringBuilder shown = new StringBuilder();
        text.chars()
                .forEach(c -> shown.append(
                        c != '\n' && PeerText.isControl((char) c)
                                ? String.format("<U+%04x>", c)
                                : String.valueOf((char) c)));
        return shown.toString();
    }

    private static JsonNode json(CliProcess.Result result) {
        assertEquals(0, result.exit(), result::toString);
        assertInert("--json", result.out());
        return result.json();
    }

    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isTextual()) {
            texts.add(node.asText());
        }
        node.forEach(child -> texts.addAll(texts(child)));
        return texts;
    }

    /** What a process wrote so far, read by a thread of its own. */
    private static final class Captured {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        static Captured of(InputStream stream) {
            Captured captured = new Captured();
            Thread reader = new Thread(
                    () -> {
                        byte[] buffer = new byte[8192];
                        try {
                            for (int n; (n = stream.read(buffer)) > 0; ) {
                                synchronized (captured) {
                                    captured.bytes.write(buffer, 0, n);
                                }
                            }
                        } catch (IOException e) {
                            // the process ended
                        }
                    },
                    "pty-reader");
            reader.setDaemon(true);
            reader.start();
            return captured;
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        void await(Predicate<String> done, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WATCHED.toNanos();
            while (!done.test(text())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + " within " + WATCHED.toSeconds() + " s: " + visible(text()));
                }
                Thread.sleep(50);
            }
        }
    }
}
