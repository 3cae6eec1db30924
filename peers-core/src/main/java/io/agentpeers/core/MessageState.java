package io.agentpeers.core;

import java.util.Locale;

/**
 * Where a message is on its way. Only an acknowledgement makes a message {@link #DELIVERED}; only
 * showing it to the agent or person makes it {@link #READ}.
 */
public enum MessageState {
    /** Stored, not yet acknowledged by any connection of the recipient. */
    PENDING,
    /** A connection of the recipient received and acknowledged it. */
    DELIVERED,
    /** Shown to the agent or person in a tool result or the CLI. */
    READ,
    /** The recipient left and did not come back within the grace period; pending again if it resumes. */
    UNDELIVERABLE,
    /**
     * Stored but not delivered: the ping-pong guard stopped it. Pending once a person releases it
     * ({@code peers release}).
     */
    HELD;

    /** The name used on the wire and in the store: the constant in lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The state with this {@linkplain #wireName() wire name}.
     *
     * @throws InvalidArgumentException for an unknown name
     */
    public static MessageState fromWireName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("unknown message state '" + name + "'");
        }
    }
}
