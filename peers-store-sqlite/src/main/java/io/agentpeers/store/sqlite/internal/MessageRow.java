package io.agentpeers.store.sqlite.internal;

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
