package io.agentpeers.core;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What kind of client holds a peer's connection. How messages reach it is its {@link Delivery}. */
public enum ClientType {
    /** Claude Code, through {@code peers mcp}. */
    CLAUDE_CODE("claude-code"),
    /** Codex CLI, through {@code peers mcp}. */
    CODEX("codex"),
    /** The person at the terminal, through the {@code peers} command line; one per user. */
    CLI("cli"),
    /** Any other program, such as an orchestrator using {@code PeersClient}. */
    GENERIC("generic");

    private final String wireName;

    ClientType(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the wire, in the store and on the command line. */
    public String wireName() {
        return wireName;
    }

    /**
     * The type with this {@linkplain #wireName() wire name}.
     *
     * @throws InvalidArgumentException for an unknown name
     */
    public static ClientType fromWireName(String name) {
        for (ClientType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        throw new InvalidArgumentException("unknown client type '" + name + "': use one of "
                + Arrays.stream(values()).map(ClientType::wireName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
