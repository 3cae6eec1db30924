package io.agentpeers.core.port;

import io.agentpeers.core.PeerId;
import java.util.List;
import java.util.Objects;

/**
 * The unread messages of a recipient without their texts: how many, the newest id, and who sent them.
 *
 * @param count   pending or delivered messages to the recipient
 * @param newest  the largest id among them, 0 when there are none
 * @param newestWaking the largest id among them that is not {@code fyi} (an fyi never wakes its recipient), 0
 *                     when there is none
 * @param senders their senders, each once, in the order of each one's oldest unread message, at most the limit asked
 */
public record UnreadSummary(int count, long newest, long newestWaking, List<PeerId> senders) {
    public UnreadSummary {
        senders = List.copyOf(Objects.requireNonNull(senders, "senders"));
    }
}
