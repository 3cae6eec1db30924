package io.agentpeers.core;

/** A peer is live while a connection holds it; gone once that connection closed or its processes died. */
public enum PeerState {
    LIVE,
    GONE;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static PeerState fromWireName(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
