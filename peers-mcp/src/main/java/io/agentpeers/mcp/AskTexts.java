package io.agentpeers.mcp;

import io.agentpeers.core.Delivery;
import io.agentpeers.core.Durations;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageKind;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.Urgency;
import io.agentpeers.protocol.PeerInfo;
import java.time.Duration;
import java.time.Instant;

/** The plain lines of asking, urgency and held messages in tool results. */
final class AskTexts {
    private AskTexts() {}

    /** How far a question without an answer got, and how to collect the answer later. */
    static String noAnswerYet(Message question, String who, long waitedSeconds, PeerInfo recipient) {
        StringBuilder text = new StringBuilder("No answer from ")
                .append(who)
                .append(" within ")
                .append(waitedSeconds)
                .append(" s. Your question #")
                .append(question.id())
                .append(' ')
                .append(progress(question.state()))
                .append('.');
        if (question.state() != MessageState.HELD && recipient != null && recipient.delivery() != null) {
            text.append(" They receive messages by ")
                    .append(recipient.delivery().path().wireName())
                    .append(": ")
                    .append(recipient.delivery().onArrival(question.urgency()))
                    .append('.');
        } else if (recipient != null && !recipient.live()) {
            text.append(" They are not connected right now; it waits for them.");
        }
        text.append("\nWait again with ask_peer(question_id=")
                .append(question.id())
                .append("), or go on: the answer also comes as a message replying to #")
                .append(question.id())
                .append(" (check_messages).");
        return text.toString();
    }

    private static String progress(MessageState state) {
        return switch (state) {
            case PENDING -> "is waiting for them: their client has not received it yet";
            case DELIVERED -> "reached their client but was not shown to them yet";
            case READ -> "was shown to them";
            case UNDELIVERABLE -> "could not be delivered: they left and did not come back";
            case HELD -> "is HELD by the ping-pong guard until a person runs `peers release`";
        };
    }

    /** What a recipient's path does with a message of this urgency, for the sender's result. */
    static String onArrival(PeerInfo recipient, Urgency urgency) {
        Delivery delivery = recipient.delivery();
        if (delivery == null) {
            return "Urgency " + urgency.wireName() + ": their broker does not say how they receive messages.";
        }
        return "Urgency " + urgency.wireName() + ", they receive by "
                + delivery.path().wireName() + ": " + delivery.onArrival(urgency) + ".";
    }

    /** Said instead of "sent" when the ping-pong guard held a message. */
    static String held(Message message, String who) {
        return "Message #" + message.id() + " to " + who + " is HELD, not delivered: you and they have answered each"
                + " other many times with nobody else in between (the ping-pong guard). A person releases it with"
                + " `peers release`. Stop this exchange unless your user asks you to go on.";
    }

    /** For the recipient's message header: a question waiting for its answer, and an urgency that is not normal. */
    static String marks(Message message, Instant now) {
        StringBuilder text = new StringBuilder();
        if (message.urgency() != Urgency.NORMAL) {
            text.append(", urgency ").append(message.urgency().wireName());
        }
        if (message.kind() == MessageKind.QUESTION && message.unread()) {
            Duration waiting = Duration.between(message.sentAt(), now);
            text.append(". A QUESTION: the sender has been waiting ")
                    .append(Durations.describe(waiting.isNegative() ? Duration.ZERO : waiting))
                    .append(" for your answer; reply with send_message(reply_to=")
                    .append(message.id())
                    .append(')');
        }
        return text.toString();
    }
}
