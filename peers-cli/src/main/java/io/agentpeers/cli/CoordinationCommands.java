package io.agentpeers.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Message;
import io.agentpeers.core.Urgency;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import io.agentpeers.protocol.codec.PeersJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code peers ask} and {@code peers release}: a question answered while you wait, and the ping-pong guard's held messages. */
final class CoordinationCommands {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** How long one slice of the wait holds the CLI peer: other {@code peers} commands wait up to 4 s for it. */
    private static final Duration HOLD = Duration.ofSeconds(2);

    private CoordinationCommands() {}

    @Command(
            name = "ask",
            description = "Ask a peer a question and wait for its answer (its reply to the question); "
                    + "--question ID waits again for an earlier one.")
    static final class Ask extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "PEER", description = "The peer's id or name.")
        String peer;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "TEXT", description = "The question.")
        List<String> words;

        @Option(names = "--question", paramLabel = "ID", description = "Wait for the answer to this earlier question.")
        Long question;

        @Option(
                names = "--timeout",
                paramLabel = "SECONDS",
                defaultValue = "120",
                description = "How long to wait (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Mixin
        UrgencyOption urgency = new UrgencyOption();

        @Override
        protected int run() {
            if (timeoutSeconds < 0) {
                throw CliFailure.usage("--timeout must be 0 or more seconds");
            }
            Urgency how = urgency.urgency();
            long deadline =
                    System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            Results.Asked asked;
            try (PeersClient client = connectAsPerson()) {
                if (question == null) {
                    if (peer == null || words == null || String.join(" ", words).isBlank()) {
                        throw CliFailure.usage("say whom to ask and what: peers ask PEER QUESTION...");
                    }
                    asked = client.ask(peer, String.join(" ", words), slice(deadline), how);
                } else {
                    asked = client.awaitAnswer(question, slice(deadline));
                }
                if (asked.answered()) {
                    client.markRead(List.of(asked.answer().message().id()));
                }
            }
            // Waited in slices, the CLI peer let go between them, so other peers commands run meanwhile.
            while (!asked.answered() && System.nanoTime() < deadline) {
                try (PeersClient client =
                        connectAsPerson(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    asked = client.awaitAnswer(asked.question().id(), slice(deadline));
                    if (asked.answered()) {
                        client.markRead(List.of(asked.answer().message().id()));
                    }
                }
            }
            print(asked);
            if (!asked.answered()) {
                throw new CliFailure("no answer within " + timeoutSeconds + " s to question #"
                        + asked.question().id()
                        + " (" + asked.question().state().wireName() + "); wait again with `peers ask --question "
                        + asked.question().id() + "`, or find the answer later in `peers inbox`");
            }
            return 0;
        }

        private static Duration slice(long deadline) {
            long left = Math.max(0, deadline - System.nanoTime());
            return Duration.ofNanos(Math.min(left, HOLD.toNanos())).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        }

        private void print(Results.Asked asked) {
            Terminal out = terminal();
            if (json) {
                ObjectNode node = NODES.objectNode();
                node.set("question", PeersJson.message(asked.question()));
                node.set("answer", asked.answered() ? PeerCommands.envelopeNode(asked.answer()) : null);
                out.json(node);
            } else if (asked.answered()) {
                PeerCommands.printEnvelope(out, asked.answer(), Instant.now());
            } else {
                out.println("question #" + asked.question().id() + " to "
                        + Terminal.data(
                                asked.recipient() == null
                                        ? asked.question().recipient().value()
                                        : asked.recipient().displayName())
                        + ": " + asked.question().state().wireName() + ", no answer yet");
            }
        }
    }

    @Command(
            name = "release",
            description = "Release the messages the ping-pong guard held (all, or those of one peer): they go out now.")
    static final class Release extends BaseCommand {
        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "PEER",
                description = "Only the held messages of this peer.")
        String peer;

        @Option(names = "--list", description = "Only show the held messages; release nothing.")
        boolean list;

        @Override
        protected int run() {
            List<Message> messages;
            try (PeersClient client = connectAsPerson()) {
                messages = list ? client.held(peer, 1000) : client.release(peer);
            }
            Terminal out = terminal();
            if (json) {
                ArrayNode array = PeersJson.messages(messages);
                out.json(NODES.objectNode()
                        .put(list ? "held" : "released", messages.size())
                        .set("messages", array));
                return 0;
            }
            if (messages.isEmpty()) {
                out.println(list ? "no held messages" : "nothing was held; nothing released");
                return 0;
            }
            out.println((list ? "held: " : "released: ")
                    + messages.size()
                    + (messages.size() == 1 ? " message" : " messages"));
            Instant now = Instant.now();
            for (Message m : messages) {
                out.println("  " + out.cyan("#" + m.id()) + " "
                        + Terminal.data(m.sender().value()) + " -> "
                        + Terminal.data(m.recipient().value()) + ", " + Terminal.ago(m.sentAt(), now) + ": "
                        + Terminal.oneLine(m.text(), 80));
            }
            return 0;
        }
    }
}
