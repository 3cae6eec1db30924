package io.agentpeers.core;

import java.util.Locale;

/** What a message is for: the broker treats questions and broadcasts apart from plain messages. */
public enum MessageKind {
    /** A plain message, sent to one peer. */
    MESSAGE,
    /** A question whose sender waits for the answer: the first message of its recipient that replies to it. */
    QUESTION,
    /** One copy of a broadcast: never counted as an exchange between two peers. */
    BROADCAST;

    /** The name used on the wire and in the store: the constant in lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind with this {@linkplain #wireName() wire name}.
     *
     * @throws InvalidArgumentException for an unknown name
     */
    public static MessageKind fromWireName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(
                    "unknown message kind '" + name + "': use message, question or broadcast");
        }
    }
}
