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
 * @param state       pending, delivered, read, undeliverable or held
 * @param kind        a plain message, a question or one copy of a broadcast
 * @param urgency     how much it may disturb the recipient
 * @param releasedAt  when a person released it after the ping-pong guard held it, or {@code null}
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
        MessageState state,
        MessageKind kind,
        Urgency urgency,
        Instant releasedAt) {

    /** @throws NullPointerException when sender, recipient, text, sentAt, state, kind or urgency is null */
    public Message {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(urgency, "urgency");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(state, "state");
    }

    /** A plain message of normal urgency, never held. */
    public Message(
            long id,
            PeerId sender,
            PeerId recipient,
            String text,
            Long replyTo,
            Instant sentAt,
            Instant deliveredAt,
            Instant readAt,
            MessageState state) {
        this(
                id,
                sender,
                recipient,
                text,
                replyTo,
                sentAt,
                deliveredAt,
                readAt,
                state,
                MessageKind.MESSAGE,
                Urgency.NORMAL,
                null);
    }

    /** This message in another state, with these delivery and read times. */
    public Message withState(MessageState newState, Instant delivered, Instant read) {
        return new Message(
                id, sender, recipient, text, replyTo, sentAt, delivered, read, newState, kind, urgency, releasedAt);
    }

    /** This held message released by a person at {@code at}: pending again. */
    public Message released(Instant at) {
        return new Message(
                id,
                sender,
                recipient,
                text,
                replyTo,
                sentAt,
                deliveredAt,
                readAt,
                MessageState.PENDING,
                kind,
                urgency,
                at);
    }

    /** Not yet shown to the recipient (pending or delivered). */
    public boolean unread() {
        return state == MessageState.PENDING || state == MessageState.DELIVERED;
    }
}
