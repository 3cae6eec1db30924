package io.agentpeers.core;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What kind of client holds a peer's connection; decides how messages reach it. */
public enum ClientType {
    CLAUDE_CODE("claude-code"),
    CODEX("codex"),
    CLI("cli"),
    GENERIC("generic");

    private final String wireName;

    ClientType(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the wire, in the store and on the command line. */
    public String wireName() {
        return wireName;
    }

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
