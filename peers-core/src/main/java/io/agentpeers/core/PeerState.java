package io.agentpeers.core;

/** A peer is live while a connection holds it; gone once that connection closed or its processes died. */
public enum PeerState {
    /** A connection holds it: it can be listed and is sent messages. */
    LIVE,
    /** No connection holds it: messages to it wait, and its agent may resume it. */
    GONE;

    /** The name used on the wire and in the store: the constant in lower case. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The state with this {@linkplain #wireName() wire name}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static PeerState fromWireName(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
