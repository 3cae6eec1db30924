package io.agentpeers.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.cli.BaseCommand;
import io.agentpeers.cli.CliFailure;
import io.agentpeers.cli.Terminal;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Message;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import io.agentpeers.protocol.codec.BrokerJson;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.store.sqlite.SqlitePeerStore;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * A self-contained show: an embedded broker on a temporary folder, two agents that find each other and
 * exchange a message and a reply, then everything is cleaned up. Touches nothing in PEERS_HOME.
 */
@Command(
        name = "demo",
        description = "Watch two agents find each other and talk, on a temporary broker; cleans up after.")
final class DemoCommand extends BaseCommand {
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(15);

    /** With {@code --json}: the steps, printed as one document at the end instead of line by line. */
    private final ArrayNode steps = JsonNodeFactory.instance.arrayNode();

    @Override
    protected int run() throws Exception {
        // No colour codes inside the JSON's strings, also on a terminal.
        Terminal out = json ? new Terminal(context().out(), context().err(), false) : terminal();
        Path dir = Files.createTempDirectory("peers-demo-");
        try {
            show(out, dir);
        } finally {
            deleteTree(dir);
        }
        if (json) {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.set("steps", steps);
            node.put("folder", dir.toString());
            node.put("deleted", !Files.exists(dir));
            out.json(node);
            return 0;
        }
        out.println("");
        out.println(out.bold("done") + ": the broker stopped and " + dir + " is deleted.");
        out.println("next: `peers broker start`, then `peers install claude-code` or `peers install codex`;"
                + " `peers --help` lists every command");
        return 0;
    }

    private void show(Terminal out, Path dir) throws Exception {
        Path socket = dir.resolve("peers.sock");
        Path database = dir.resolve("peers.db");
        try (PeersBroker broker = PeersBroker.builder()
                .listen(new UnixSocketListener(socket))
                .ownedStore(SqlitePeerStore.open(database))
                .lockFile(dir.resolve("broker.lock"))
                .start()) {
            step(out, 1, "started an embedded broker on " + socket + " with its SQLite database " + database);
            ClientOptions options = ClientOptions.defaults()
                    .withClientName("peers-demo/" + PeersClient.VERSION)
                    .withRequestTimeout(STEP_TIMEOUT);
            UnixSocketConnector connector = new UnixSocketConnector(socket);
            try (PeersClient alice = PeersClient.connect(connector, options);
                    PeersClient bob = PeersClient.connect(connector, options)) {
                RegisterRequest base = RegisterRequest.of(dir.toString(), ClientType.GENERIC);
                PeerInfo a = alice.register(base.withName("alice")).peer();
                alice.setSummary("writing the config parser");
                PeerInfo b = bob.register(base.withName("bob")).peer();
                bob.setSummary("reviewing pull requests");
                step(
                        out,
                        2,
                        "two agents joined: " + out.bold("alice") + " (id " + a.id() + ") and " + out.bold("bob")
                                + " (id " + b.id()
                                + "); the broker knows each one's pid from the socket, not from what it claims");

                List<PeerInfo> seen = alice.listPeers(Scope.DIRECTORY);
                StringBuilder found = new StringBuilder();
                for (PeerInfo peer : seen) {
                    found.append(peer.displayName())
                            .append(" (")
                            .append(peer.clientType())
                            .append(", pid ")
                            .append(peer.pid())
                            .append(", \"")
                            .append(peer.summary())
                            .append("\")");
                }
                step(out, 3, "alice lists the peers in her folder and finds " + found);

                CountDownLatch replied = new CountDownLatch(1);
                AtomicReference<String> bobSaw = new AtomicReference<>();
                AtomicReference<String> bobAnswered = new AtomicReference<>();
                bob.subscribe(envelope -> {
                    Message message = envelope.message();
                    bobSaw.set("bob was pushed #" + message.id() + " from "
                            + envelope.sender().displayName() + ": \"" + message.text() + "\"");
                    Results.Sent reply = bob.send(
                            envelope.sender().id(),
                            "Looks good; one nit: close the reader in a finally.",
                            message.id());
                    bobAnswered.set(
                            "   and answered with #" + reply.message().id() + " (a reply to #" + message.id() + ")");
                    replied.countDown();
                });

                Results.Sent sent = alice.send("bob", "Could you review my parser change?");
                step(
                        out,
                        4,
                        "alice sent #" + sent.message().id()
                                + " to bob; it was stored in SQLite before the send returned");

                List<Envelope> answer = alice.waitForMessages(STEP_TIMEOUT, 10);
                if (!replied.await(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || answer.isEmpty()) {
                    throw new CliFailure("the demo's reply did not arrive within " + STEP_TIMEOUT.toSeconds()
                            + " s; run `peers demo --verbose` to see why");
                }
                step(out, 5, bobSaw.get());
                if (json) {
                    lastStep().put("answer", bobAnswered.get().strip());
                } else {
                    // A line of its own: the terminal shows a line break inside a line as the text \n.
                    out.println(bobAnswered.get());
                }
                Envelope reply = answer.get(0);
                alice.markRead(List.of(reply.message().id()));
                step(
                        out,
                        6,
                        "alice waited (a long poll, no busy loop) and got #"
                                + reply.message().id() + " from "
                                + reply.sender().displayName() + ": \""
                                + reply.message().text() + "\"");

                List<Message> history = alice.history("bob", 10);
                List<List<String>> rows = new ArrayList<>();
                Instant now = Instant.now();
                for (Message message : history) {
                    rows.add(List.of(
                            "#" + message.id(),
                            message.sender().value().equals(a.id()) ? "alice" : "bob",
                            message.recipient().value().equals(a.id()) ? "alice" : "bob",
                            message.state().wireName(),
                            Terminal.ago(message.sentAt(), now),
                            Terminal.oneLine(message.text(), 50)));
                }
                step(out, 7, "the conversation as alice's history shows it (newest first):");
                if (json) {
                    ArrayNode messages = lastStep().putArray("messages");
                    history.forEach(message -> messages.add(PeersJson.message(message)));
                } else {
                    out.table(List.of("  ID", "FROM", "TO", "STATE", "SENT", "TEXT"), indent(rows));
                }

                BrokerStats stats = alice.stats();
                step(
                        out,
                        8,
                        "the broker's statistics: " + stats.peers().live() + " live peers, messages "
                                + BrokerJson.node(stats).get("messages"));
                if (json) {
                    lastStep().set("broker", BrokerJson.node(stats));
                }
            }
        }
        step(out, 9, "both agents left and the broker stopped");
    }

    private static List<List<String>> indent(List<List<String>> rows) {
        List<List<String>> result = new ArrayList<>();
        for (List<String> row : rows) {
            List<String> copy = new ArrayList<>(row);
            copy.set(0, "  " + copy.get(0));
            result.add(copy);
        }
        return result;
    }

    private void step(Terminal out, int number, String text) {
        if (json) {
            steps.addObject().put("step", number).put("text", text);
        } else {
            out.println(out.cyan(number + ".") + " " + text);
        }
    }

    private ObjectNode lastStep() {
        return (ObjectNode) steps.get(steps.size() - 1);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
