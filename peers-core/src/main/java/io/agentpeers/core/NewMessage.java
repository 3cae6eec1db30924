package io.agentpeers.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A message about to be stored; the store gives it its id and the state pending, or held when
 * {@code held} (the ping-pong guard stopped it: stored, not delivered until a person releases it).
 */
public record NewMessage(
        PeerId sender,
        PeerId recipient,
        String text,
        Long replyTo,
        Instant sentAt,
        MessageKind kind,
        Urgency urgency,
        boolean held) {
    /** @throws NullPointerException when sender, recipient, text, sentAt, kind or urgency is null */
    public NewMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(urgency, "urgency");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sentAt, "sentAt");
    }

    /** A plain message of normal urgency. */
    public NewMessage(PeerId sender, PeerId recipient, String text, Long replyTo, Instant sentAt) {
        this(sender, recipient, text, replyTo, sentAt, MessageKind.MESSAGE, Urgency.NORMAL, false);
    }

    /** The state it is stored in: held, or pending. */
    public MessageState initialState() {
        return held ? MessageState.HELD : MessageState.PENDING;
    }

    /** This message as stored under {@code id}: pending (or held), not yet delivered or read. */
    public Message stored(long id) {
        return new Message(
                id, sender, recipient, text, replyTo, sentAt, null, null, initialState(), kind, urgency, null);
    }
}
