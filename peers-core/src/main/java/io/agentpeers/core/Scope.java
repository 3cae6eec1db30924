package io.agentpeers.core;

import java.util.Locale;

/** Which peers a listing or broadcast reaches, seen from the caller. */
public enum Scope {
    /** Every live peer on this machine. */
    MACHINE,
    /** Live peers with the same working directory. */
    DIRECTORY,
    /** Live peers of the same repository, worktrees included; directory for a caller outside any repository. */
    REPO;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope fromWireName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidArgumentException("unknown scope '" + name + "': use machine, directory or repo");
        }
    }
}
