package io.agentpeers.core;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a live peer's messages reach whoever acts on them; reported by its client, or seen by the broker. */
public enum DeliveryPath {
    /** Pushed into the model's context as they arrive (Claude Code's channel notifications). */
    CHANNEL("channel"),
    /** The idle session is woken with a short note to fetch them (Claude Code's session inbox). */
    INBOX_WAKE("inbox-wake"),
    /** Seen at the agent's next prompt or stop, through the client's hooks. */
    HOOKS("hooks"),
    /** A program holds a subscription: each message is pushed to it at once. */
    SUBSCRIBED("subscribed"),
    /** Seen only when the peer next checks or waits for messages. */
    POLL("poll");

    private final String wireName;

    DeliveryPath(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the wire and on the command line. */
    public String wireName() {
        return wireName;
    }

    /**
     * The path with this {@linkplain #wireName() wire name}.
     *
     * @throws InvalidArgumentException for an unknown name
     */
    public static DeliveryPath fromWireName(String name) {
        for (DeliveryPath path : values()) {
            if (path.wireName.equals(name)) {
                return path;
            }
        }
        throw new InvalidArgumentException("unknown delivery path '" + name + "': use one of "
                + Arrays.stream(values()).map(DeliveryPath::wireName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
