package io.agentpeers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Message;
import io.agentpeers.core.Scope;
import io.agentpeers.core.UnknownPeerException;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import io.agentpeers.protocol.codec.PeersJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Commands where the person at the terminal acts as a peer (client type {@code cli}). */
final class PeerCommands {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PeerCommands() {}

    @Command(name = "list", aliases = "peers", description = "The live peers (you excluded).")
    static final class ListPeers extends BaseCommand {
        @Option(
                names = "--scope",
                paramLabel = "SCOPE",
                defaultValue = "machine",
                description =
                        "machine (everyone), directory (same folder as here), repo (same git repository) or network (every broker"
                                + " on a shared PostgreSQL database); default ${DEFAULT-VALUE}.")
        Scope wanted;

        @Override
        protected int run() {
            JsonNode peers;
            JsonNode claims;
            try (PeersClient client = connectAsPerson()) {
                peers = client.call("list_peers", NODES.objectNode().put("scope", wanted.wireName()), JsonNode.class)
                        .path("peers");
                claims = ClaimsTable.fetch(client, wanted);
            }
            if (json) {
                ObjectNode node = NODES.objectNode();
                node.set("peers", peers);
                node.set("claims", claims);
                terminal().json(node);
                return 0;
            }
            if (peers.isEmpty()) {
                terminal().println("no other peers (" + wanted.wireName() + " scope)");
            } else {
                StatusCommands.printPeers(terminal(), peers, Instant.now());
            }
            ClaimsTable.print(terminal(), claims, Instant.now());
            return 0;
        }
    }

    @Command(name = "send", description = "Send a message to a peer, by id or name; the answer waits in `peers inbox`.")
    static final class Send extends BaseCommand {
        @Parameters(index = "0", paramLabel = "PEER", description = "The recipient's id or name.")
        String peer;

        @Parameters(
                index = "1..*",
                arity = "1..*",
                paramLabel = "TEXT",
                description = "The message; `-` reads it from stdin.")
        List<String> words;

        @Option(names = "--reply-to", paramLabel = "ID", description = "The message this one answers.")
        Long replyTo;

        /** How long --wait holds the CLI peer at a time, and how long it lets go between two holds. */
        private static final Duration HOLD = Duration.ofSeconds(2);

        private static final Duration GAP = Duration.ofMillis(300);

        @Mixin
        UrgencyOption urgency = new UrgencyOption();

        @Option(names = "--wait", description = "Wait for the reply and print it.")
        boolean await;

        @Option(
                names = "--timeout",
                paramLabel = "SECONDS",
                defaultValue = "300",
                description = "How long --wait waits (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Override
        protected int run() throws IOException {
            String text = words.size() == 1 && words.get(0).equals("-") ? readStdin() : String.join(" ", words);
            if (text.isBlank()) {
                throw new CliFailure("the message is empty; give some text, or `-` and the text on stdin");
            }
            try (PeersClient client = connectAsPerson()) {
                Results.Sent sent = client.send(peer, text, replyTo, urgency.urgency());
                PeerInfo to = sent.recipient();
                Envelope reply = await ? awaitReply(client, sent) : null;
                if (json) {
                    ObjectNode node = NODES.objectNode();
                    node.set("message", PeersJson.message(sent.message()));
                    node.set("recipient", PeersJson.peer(to));
                    if (await) {
                        node.set("reply", reply == null ? null : envelopeNode(reply));
                    }
                    terminal().json(node);
                } else {
                    Terminal out = terminal();
                    out.println("sent #" + sent.message().id() + " to " + Terminal.data(to.displayName()) + " ("
                            + to.clientType()
                            + (to.live()
                                    ? to.delivery() == null
                                            ? ""
                                            : "; " + to.delivery().describe()
                                    : ", "
                                            + out.yellow("gone: it waits until " + Terminal.data(to.displayName())
                                                    + " comes back"))
                            + ")");
                    if (reply != null) {
                        printEnvelope(out, reply, Instant.now());
                    }
                }
                if (await && reply == null) {
                    throw new CliFailure("no reply from " + to.displayName() + " within " + timeoutSeconds
                            + " s; a later answer waits in `peers inbox`");
                }
            }
            return 0;
        }

        private String readStdin() throws IOException {
            String text = new String(context().in().readAllBytes(), StandardCharsets.UTF_8);
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        }

        /**
         * Long-polls until a message answers ours (a reply to it, or anything from its recipient). Other
         * messages are acknowledged but stay unread, for {@code peers inbox}.
         *
         * <p>The CLI peer is held in slices of {@link #HOLD}, with {@link #GAP} between them, so that other
         * {@code peers} commands of this user (which wait up to 4 s for the peer) run meanwhile; a reply that
         * comes between two slices waits in the broker and is read by the next.
         */
        private Envelope awaitReply(PeersClient first, Results.Sent sent) {
            long deadline =
                    System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            String recipient = sent.recipient().id();
            PeersClient client = first;
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    if (client == null) {
                        client = connectAsPerson(Duration.ofNanos(left));
                    }
                    Envelope answer = answerIn(client, sent, recipient, Math.min(left, HOLD.toNanos()));
                    if (answer != null) {
                        return answer;
                    }
                    if (client != first) {
                        client.close();
                    } else {
                        first.close(); // the caller's try closes it again: a second close does nothing
                    }
                    client = null;
                    long pause = Math.min(GAP.toMillis(), Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
                    sleep(pause);
                }
            } finally {
                if (client != null && client != first) {
                    client.close();
                }
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure("interrupted while waiting for the reply");
            }
        }

        /** One slice of the wait: the answer among what arrives within {@code nanos}, or null. */
        private static Envelope answerIn(PeersClient client, Results.Sent sent, String recipient, long nanos) {
            List<Envelope> arrived = client.waitForMessages(Duration.ofNanos(nanos), 100);
            Envelope answer = null;
            List<Long> others = new ArrayList<>();
            for (Envelope envelope : arrived) {
                Message message = envelope.message();
                boolean answers = (message.replyTo() != null
                                && message.replyTo() == sent.message().id())
                        || message.sender().value().equals(recipient);
                if (answer == null && answers) {
                    answer = envelope;
                } else {
                    others.add(message.id());
                }
            }
            if (!others.isEmpty()) {
                client.ack(others);
            }
            if (answer != null) {
                client.markRead(List.of(answer.message().id()));
            }
            return answer;
        }
    }

    @Command(name = "kill", description = "End a stuck peer's agent process (SIGTERM; irreversible).")
    static final class Kill extends BaseCommand {
        @Parameters(index = "0", paramLabel = "PEER", description = "The peer's id or name.")
        String peer;

        @Override
        protected int run() {
            Results.Killed killed;
            try (PeersClient client = connectAsPerson()) {
                killed = client.kill(peer);
            }
            if (json) {
                ObjectNode node = NODES.objectNode();
                node.set("peer", PeersJson.peer(killed.peer()));
                node.put("signalled", killed.signalled());
                terminal().json(node);
            } else {
                PeerInfo target = killed.peer();
                terminal()
                        .println(
                                killed.signalled()
                                        ? "sent SIGTERM to " + target.displayName() + "'s agent (pid "
                                                + target.agentPid() + ")"
                                        : target.displayName() + "'s agent had already exited: nothing was signalled");
            }
            return 0;
        }
    }

    @Command(
            name = "history",
            description = "Messages you sent or received, newest first; only those with PEER when given.")
    static final class History extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "PEER", description = "Only messages with this peer.")
        String peer;

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "20",
                description = "At most N messages (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        protected int run() {
            try (PeersClient client = connectAsPerson()) {
                JsonNode messages = client.call(
                                "history", NODES.objectNode().put("with", peer).put("limit", limit), JsonNode.class)
                        .path("messages");
                if (json) {
                    ObjectNode node = NODES.objectNode();
                    node.set("messages", messages);
                    terminal().json(node);
                    return 0;
                }
                if (messages.isEmpty()) {
                    terminal().println("no messages" + (peer == null ? "" : " with " + peer));
                    return 0;
                }
                Names names = new Names(client);
                Instant now = Instant.now();
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode message : messages) {
                    rows.add(List.of(
                            "#" + message.path("id").asText(),
                            Terminal.ago(StatusCommands.instant(message.get("sent_at")), now),
                            names.of(message.path("from").asText()),
                            names.of(message.path("to").asText()),
                            message.path("state").asText(),
                            Terminal.oneLine(message.path("text").asText(), 60)));
                }
                terminal().table(List.of("ID", "SENT", "FROM", "TO", "STATE", "TEXT"), rows);
            }
            return 0;
        }
    }

    @Command(
            name = "inbox",
            description = "Messages for you that you have not read yet; shows them and marks them read.")
    static final class Inbox extends BaseCommand {
        @Option(names = "--keep", description = "Show without marking them read.")
        boolean keep;

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "100",
                description = "At most N messages (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        protected int run() {
            try (PeersClient client = connectAsPerson()) {
                JsonNode unread = client.call("unread", NODES.objectNode().put("limit", limit), JsonNode.class)
                        .path("messages");
                List<Long> ids = new ArrayList<>();
                unread.forEach(e -> ids.add(e.path("message").path("id").asLong()));
                if (json) {
                    ObjectNode node = NODES.objectNode();
                    node.set("messages", unread);
                    terminal().json(node);
                } else if (unread.isEmpty()) {
                    terminal().println("no unread messages");
                } else {
                    Instant now = Instant.now();
                    for (Envelope envelope : PeersJson.envelopesFrom(unread)) {
                        printEnvelope(terminal(), envelope, now);
                    }
                }
                if (!keep && !ids.isEmpty()) {
                    client.markRead(ids);
                }
            }
            return 0;
        }
    }

    static void printEnvelope(Terminal out, Envelope envelope, Instant now) {
        Message message = envelope.message();
        PeerInfo sender = envelope.sender();
        String from = Terminal.data(sender.displayName())
                + (sender.clientType() == null ? "" : " (" + sender.clientType() + ")")
                + (sender.verified()
                        ? ""
                        : sender.certificate() != null
                                ? " " + out.cyan("[cert:" + Terminal.data(sender.certificate()) + "]")
                                : " " + out.yellow("[unverified]"));
        out.println(
                out.cyan("#" + message.id()) + " from " + out.bold(from) + ", " + Terminal.ago(message.sentAt(), now)
                        + (message.replyTo() == null ? "" : ", reply to #" + message.replyTo()));
        for (String line : message.text().split("\n", -1)) {
            out.println("  " + Terminal.data(line));
        }
    }

    static ObjectNode envelopeNode(Envelope envelope) {
        ObjectNode node = NODES.objectNode();
        node.set("message", PeersJson.message(envelope.message()));
        PeerInfo sender = envelope.sender();
        ObjectNode from = node.putObject("sender");
        from.put("id", sender.id());
        from.put("name", sender.name());
        from.put(
                "client_type",
                sender.clientType() == null ? null : sender.clientType().wireName());
        from.put("summary", sender.summary());
        from.put("cwd", sender.cwd());
        from.put("verified", sender.verified());
        if (sender.certificate() != null) {
            from.put("certificate", sender.certificate());
        }
        return node;
    }

    /** Peer names by id, asked once each. */
    static final class Names {
        private final PeersClient client;
        private final Map<String, String> cache = new HashMap<>();

        Names(PeersClient client) {
            this.client = client;
            PeerInfo self = client.self();
            if (self != null) {
                cache.put(self.id(), "you");
            }
            cache.put("broker", "broker");
        }

        String of(String id) {
            return cache.computeIfAbsent(id, key -> {
                try {
                    return client.getPeer(key).displayName();
                } catch (UnknownPeerException e) {
                    return key;
                }
            });
        }
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }
}
