package io.agentpeers.core;

import java.util.Objects;

/**
 * How a live peer receives its messages, and whether that was seen to work: a channel push the model
 * then answered, a wake that was followed by a read. A path that was only offered (a flag set, a socket
 * named in the environment) is not confirmed. The broker keeps it per connection; a gone peer has none.
 *
 * @param path      the best path the peer's client has
 * @param confirmed whether it was seen to reach the model (or the program) at least once
 */
public record Delivery(DeliveryPath path, boolean confirmed) {
    /** Nothing reported and no subscription: the peer sees messages when it asks. */
    public static final Delivery POLL = new Delivery(DeliveryPath.POLL, false);

    /** A program holding a subscription: pushed to at once, by the broker's own doing. */
    public static final Delivery SUBSCRIBED = new Delivery(DeliveryPath.SUBSCRIBED, true);

    /** The agent's hooks asked for its unread messages: it sees them at its next prompt or stop. */
    public static final Delivery HOOKS = new Delivery(DeliveryPath.HOOKS, true);

    public Delivery {
        Objects.requireNonNull(path, "path");
    }

    /** One clause for people and models: how and when this peer sees a message. */
    public String describe() {
        String seen = confirmed ? "seen working" : "not yet seen working";
        return switch (path) {
            case CHANNEL -> "pushed into the session as it arrives (" + seen + ")";
            case INBOX_WAKE -> "its session is woken with a note to read new messages (" + seen + ")";
            case HOOKS -> "shown at its next prompt or stop (" + seen + ")";
            case SUBSCRIBED -> "pushed to its program at once";
            case POLL -> "seen when it next checks or waits for messages";
        };
    }

    /** One clause for the sender: what this path does with a message of {@code urgency} when it arrives. */
    public String onArrival(Urgency urgency) {
        if (urgency == Urgency.FYI) {
            return path == DeliveryPath.SUBSCRIBED
                    ? "pushed to its program at once, marked fyi"
                    : "nothing wakes it (fyi): shown when it next checks its messages";
        }
        boolean now = urgency == Urgency.INTERRUPT;
        return switch (path) {
            case CHANNEL -> "pushed into its session now";
            case INBOX_WAKE -> now ? "its session is woken at once" : "its session is woken within seconds";
            case HOOKS -> "shown at its next prompt or stop (its hooks cannot wake an idle session)";
            case SUBSCRIBED -> "pushed to its program at once" + (now ? ", marked interrupt" : "");
            case POLL -> "seen when it next checks or waits for messages; nothing can wake it";
        };
    }
}
