package io.agentpeers.core;

/** How a registration found the earlier peer it took back, in the order the broker tries them. */
public enum ResumedBy {
    /** The client presented the peer's resume secret (or the one before, whose answer it may have lost). */
    SECRET("secret"),
    /** A new process of the same agent session: same uid, client type and session key. */
    SESSION("session"),
    /** The same agent process (pid and start time), client type and folder: the MCP server restarted. */
    AGENT("agent"),
    /** A new session of the same uid and client type asked for the gone peer's name. */
    NAME("name");

    private final String wireName;

    ResumedBy(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the wire. */
    public String wireName() {
        return wireName;
    }
}
