package io.agentpeers.core;

import java.util.Locale;

/** How much a message may disturb its recipient; each delivery path acts on it (see {@link Delivery#onArrival}). */
public enum Urgency {
    /** Wake the recipient now, through whatever wake path it has. */
    INTERRUPT,
    /** Delivered as it comes: pushed or woken for where the recipient's path does so. */
    NORMAL,
    /** Never wakes anyone: shown when the recipient next checks its messages. */
    FYI;

    /** The name used on the wire and in the store: the constant in lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The urgency with this {@linkplain #wireName() wire name}; {@code null} is {@link #NORMAL}.
     *
     * @throws InvalidArgumentException for an unknown name
     */
    public static Urgency fromWireName(String name) {
        if (name == null) {
            return NORMAL;
        }
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("unknown urgency '" + name + "': use interrupt, normal or fyi");
        }
    }
}
