package io.agentpeers.core;

import java.util.Locale;

/** Which peers a listing or broadcast reaches, seen from the caller. */
public enum Scope {
    /** Every live peer on this machine (of this broker). */
    MACHINE,
    /** Live peers with the same working directory. */
    DIRECTORY,
    /** Live peers of the same repository, worktrees included; directory for a caller outside any repository. */
    REPO,
    /**
     * Every live peer of every broker on the database the broker shares with others (several machines on one
     * PostgreSQL); the same as {@link #MACHINE} for a broker whose store is its own.
     */
    NETWORK;

    /** The name used on the wire and on the command line: the constant in lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The scope with this {@linkplain #wireName() wire name}.
     *
     * @throws InvalidArgumentException for an unknown or null name
     */
    public static Scope fromWireName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidArgumentException("unknown scope '" + name + "': use machine, directory, repo or network");
        }
    }
}
