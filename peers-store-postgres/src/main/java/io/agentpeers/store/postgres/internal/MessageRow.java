package io.agentpeers.store.postgres.internal;

import io.agentpeers.core.Message;
import io.agentpeers.core.MessageKind;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.Urgency;
import java.time.Instant;

/** One row of {@code messages}, as stored: ids as text, instants as epoch milliseconds. */
public record MessageRow(
        long id,
        String senderId,
        String recipientId,
        String text,
        Long replyTo,
        long sentAt,
        Long deliveredAt,
        Long readAt,
        String state,
        String kind,
        String urgency,
        Long releasedAt) {

    /** This row with another state (a row returned by an update, as it was before). */
    MessageRow inState(String value) {
        return new MessageRow(
                id,
                senderId,
                recipientId,
                text,
                replyTo,
                sentAt,
                deliveredAt,
                readAt,
                value,
                kind,
                urgency,
                releasedAt);
    }

    public Message toMessage() {
        return new Message(
                id,
                new PeerId(senderId),
                new PeerId(recipientId),
                text,
                replyTo,
                Instant.ofEpochMilli(sentAt),
                PeerRow.instant(deliveredAt),
                PeerRow.instant(readAt),
                MessageState.fromWireName(state),
                MessageKind.fromWireName(kind),
                Urgency.fromWireName(urgency),
                PeerRow.instant(releasedAt));
    }
}
