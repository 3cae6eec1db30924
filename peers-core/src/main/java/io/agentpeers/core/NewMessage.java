package io.agentpeers.core;

import java.time.Instant;
import java.util.Objects;

/** A message about to be stored; the store gives it its id and the state pending. */
public record NewMessage(PeerId sender, PeerId recipient, String text, Long replyTo, Instant sentAt) {
    /** @throws NullPointerException when sender, recipient, text or sentAt is null */
    public NewMessage {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sentAt, "sentAt");
    }

    /** This message as stored under {@code id}: pending, not yet delivered or read. */
    public Message stored(long id) {
        return new Message(id, sender, recipient, text, replyTo, sentAt, null, null, MessageState.PENDING);
    }
}
