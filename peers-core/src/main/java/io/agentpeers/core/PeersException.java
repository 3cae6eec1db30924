package io.agentpeers.core;

import java.util.Objects;

/**
 * The root of every rule peers enforces. Each subclass names the broken rule and carries a stable
 * {@link #code()} that the wire protocol sends, and a message that a person or a model can act on.
 */
public class PeersException extends RuntimeException {
    /** See {@link #code()}. */
    private final String code;

    /**
     * @param code    the stable code of the broken rule, see {@link #code()}
     * @param message what happened and how to fix it, for a person or a model
     */
    public PeersException(String code, String message) {
        this(code, message, null);
    }

    /**
     * @param code    the stable code of the broken rule, see {@link #code()}
     * @param message what happened and how to fix it, for a person or a model
     * @param cause   what failed underneath, or {@code null}
     */
    public PeersException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** A stable, lower-snake-case code for this kind of failure; part of the wire protocol. */
    public String code() {
        return code;
    }
}
