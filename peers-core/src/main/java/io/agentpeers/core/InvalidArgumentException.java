package io.agentpeers.core;

/** A request carried a value that breaks its documented shape. */
public class InvalidArgumentException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "invalid_argument";

    /** @param message what happened and how to fix it, for a person or a model */
    public InvalidArgumentException(String message) {
        super(CODE, message);
    }
}
