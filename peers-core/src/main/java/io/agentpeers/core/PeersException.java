package io.agentpeers.core;

import java.util.Objects;

/**
 * The root of every rule peers enforces. Each subclass names the broken rule and carries a stable
 * {@link ErrorCode} that the wire protocol sends, and a message that a person or a model can act on.
 * A client of a broker throws the same subclass the broker threw.
 */
public abstract class PeersException extends RuntimeException {
    private final ErrorCode errorCode;

    protected PeersException(ErrorCode errorCode, String message) {
        this(errorCode, message, null);
    }

    protected PeersException(ErrorCode errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    }

    /** What kind of failure this is. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** The stable, lower-snake-case wire string of this failure (docs/protocol.md, "Errors"). */
    public String code() {
        return errorCode.wireName();
    }
}
