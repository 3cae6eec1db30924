package io.agentpeers.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A message as the broker keeps it.
 *
 * @param id          increasing, assigned by the store
 * @param sender      the peer that sent it, as the transport identified it ({@link PeerId#BROKER} for notices)
 * @param recipient   the peer it is for
 * @param text        UTF-8 text, within the configured limit
 * @param replyTo     the id of the message this one answers, or {@code null}
 * @param sentAt      when the broker accepted it
 * @param deliveredAt when a connection of the recipient acknowledged it, or {@code null}
 * @param readAt      when it was shown to the agent or person, or {@code null}
 * @param state       pending, delivered, read or undeliverable
 */
public record Message(
        long id,
        PeerId sender,
        PeerId recipient,
        String text,
        Long replyTo,
        Instant sentAt,
        Instant deliveredAt,
        Instant readAt,
        MessageState state) {

    /** @throws NullPointerException when sender, recipient, text, sentAt or state is null */
    public Message {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(state, "state");
    }

    /** Not yet shown to the recipient (pending or delivered). */
    public boolean unread() {
        return state == MessageState.PENDING || state == MessageState.DELIVERED;
    }
}
